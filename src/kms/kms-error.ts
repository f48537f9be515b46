import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';
import type { ThrottleHints } from './throttle-hints.js';

/**
 * Stable codes that this library gives a {@link KmsError} of its own making (transport failures, timeouts,
 * unreadable answers, misuse of a source). A `KmsError` that carries the service's answer keeps the service's
 * code exactly as KMS sent it (`Rejected.Throttling`, `Forbidden.ResourceNotFound`, ...), so `code` is one of
 * these or a service code.
 */
export const KmsErrorCode = {
  /** The connection failed or was reset before an answer (`cause` has the socket error code). Retryable. */
  NetworkError: 'Kms.NetworkError',
  /** No TCP/TLS connection to a DKMS instance within its connect timeout. Retryable. */
  ConnectTimeout: 'Kms.ConnectTimeout',
  /** A DKMS instance accepted the request but did not answer within its read timeout. Retryable. */
  ReadTimeout: 'Kms.ReadTimeout',
  /** A KMS OpenAPI request timed out (connect or read; the client does not tell which). Retryable. */
  Timeout: 'Kms.Timeout',
  /** One fetch did not succeed within its deadline (`fetch_timeout`); the message names what each source met. Retryable. */
  FetchTimeout: 'Kms.FetchTimeout',
  /** The server's TLS certificate was not trusted (wrong or missing CA, host name mismatch). */
  TlsVerificationFailed: 'Kms.TlsVerificationFailed',
  /** The answer is not a GetSecretValue response, lacks a field, or names another secret. */
  InvalidResponse: 'Kms.InvalidResponse',
  /** A DKMS answer is larger than `maxResponseBytes`. */
  ResponseTooLarge: 'Kms.ResponseTooLarge',
  /** An HTTP error status without a KMS error code in the body (a proxy page, say); `httpStatus` has it. */
  HttpError: 'Kms.HttpError',
  /** The RAM credentials for the KMS OpenAPI could not be obtained (STS, ECS metadata, OIDC...). Retryable. */
  CredentialsUnavailable: 'Kms.CredentialsUnavailable',
  /**
   * The `credentialsProvider` given to a ProxyBucket or Tea client (an OSS-v2-style provider or an
   * `@alicloud/credentials` `Credential`) threw, rejected, or answered without a usable AccessKey; `cause` is
   * its error. Retryable: the cache asks it again in the background.
   */
  CredentialsProviderFailed: 'Kms.CredentialsProviderFailed',
  /** The source (DKMS, OpenAPI or a failover group; `source` names it) was closed. */
  SourceClosed: 'Kms.SourceClosed',
  /** A request of a failover group was cancelled because another source answered first. */
  Superseded: 'Kms.Superseded',
  /** A source was constructed or called with a wrong option or argument (e.g. a negative `timeoutMs`). */
  InvalidOptions: 'Kms.InvalidOptions',
  /** A KMS Agent refused the `X-KMS-Token` sent (HTTP 401 or 403): the token is wrong or outdated. */
  AgentTokenRefused: 'Kms.AgentTokenRefused',
  /** No KMS Agent token was found where the configuration says (file missing or empty, variable unset). */
  AgentTokenUnavailable: 'Kms.AgentTokenUnavailable',
  /** A KMS Agent answered HTTP 404 without a KMS error code: it does not serve the secret. */
  SecretNotFound: 'Kms.SecretNotFound',
  /** The KMS OpenAPI client failed in a way not recognised above. */
  UnexpectedError: 'Kms.UnexpectedError',
} as const;

/** One of the {@link KmsErrorCode} values. */
export type KmsErrorCode = (typeof KmsErrorCode)[keyof typeof KmsErrorCode];

/** Details of a {@link KmsError}. */
export interface KmsErrorDetails {
  /** Service error code (`Rejected.Throttling`, `Forbidden.ResourceNotFound`, ...) or one of {@link KmsErrorCode}. */
  code: string;
  /** HTTP status, when the service answered. */
  httpStatus?: number;
  /** Service request id, when known. */
  requestId?: string;
  /** Whether trying again (later, or on another source) may succeed. */
  retryable: boolean;
  /** Which source failed (its `description`). */
  source?: string;
  /** What a throttled answer's headers said about the quota (retry-after, Limit/Remain/TimeLeft), when it sent any. */
  throttleHints?: ThrottleHints;
  cause?: unknown;
}

/**
 * A failed call to KMS (DKMS or OpenAPI): a service error, a transport failure, a timeout or an
 * unreadable response. `code` is the service's own code, or one of {@link KmsErrorCode}. Never contains
 * the secret value or request credentials.
 */
export class KmsError extends ManagedCredentialsError {
  readonly httpStatus?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly source?: string;
  /**
   * The throttle hints of the answer's headers (`x-acs-retry-after`, `x-ratelimit-user(-api)`), when KMS sent
   * any; the failover group's pacing honours them (clamped) and the cache's events carry them.
   */
  readonly throttleHints?: Readonly<ThrottleHints>;

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
    if (details.throttleHints !== undefined) this.throttleHints = Object.freeze({ ...details.throttleHints });
  }
}
