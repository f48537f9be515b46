import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/** What an {@link OpenApiServiceError} answers. */
export interface OpenApiErrorAnswer {
  /** HTTP status, e.g. 400, 403, 404. */
  status: number;
  /** The gateway or service error code, e.g. `Forbidden.NoPermission` (also the error's `code`). */
  code: string;
  /** Human-readable message; default the code. Never put secret values here. */
  message?: string;
}

/**
 * An error answer of {@link LocalOpenApi}: a handler throws (or returns) it to answer with the gateway's error
 * shape, `{ RequestId, HostId, Code, Message, Recommend }` in JSON (an OSS `<Error>` document for OSS-signed
 * requests), with {@link OpenApiServiceError.status}. The emulator's own authentication errors have this type too.
 *
 * ```ts
 * api.handle({ action: 'DescribeRegions' }, () => {
 *   throw new OpenApiServiceError({ status: 403, code: 'Forbidden.RAM', message: 'User not authorized.' });
 * });
 * ```
 */
export class OpenApiServiceError extends ManagedCredentialsError {
  /** HTTP status of the answer. */
  readonly status: number;

  /** @param answer - status, code and message of the answer */
  constructor(answer: OpenApiErrorAnswer) {
    super(answer.code, answer.message ?? answer.code);
    this.status = answer.status;
  }
}
