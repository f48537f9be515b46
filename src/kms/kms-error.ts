import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';

/** Details of a {@link KmsError}. */
export interface KmsErrorDetails {
  /** Service error code (`Rejected.Throttling`, `Forbidden.ResourceNotFound`, ...) or a local code. */
  code: string;
  /** HTTP status, when the service answered. */
  httpStatus?: number;
  /** Service request id, when known. */
  requestId?: string;
  /** Whether trying again (later, or on another source) may succeed. */
  retryable: boolean;
  /** Which source failed (its `description`). */
  source?: string;
  cause?: unknown;
}

/**
 * A failed call to KMS (DKMS or OpenAPI): a service error, a transport failure, a timeout or an
 * unreadable response. Never contains the secret value or request credentials.
 */
export class KmsError extends ManagedCredentialsError {
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly source?: string;

  /**
   * @param message - human-readable, secret-free message
   * @param details - code, status, request id, retryability
   */
  constructor(message: string, details: KmsErrorDetails) {
    super(details.code, message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
    if (details.requestId !== undefined) this.requestId = details.requestId;
    this.retryable = details.retryable;
    if (details.source !== undefined) this.source = details.source;
  }
}
