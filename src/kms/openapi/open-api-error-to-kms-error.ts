import { KmsError, KmsErrorCode } from '../kms-error.js';
import { parseThrottleHints } from '../throttle-hints.js';
import { isThrottlingError } from '../throttle-pacing.js';

/** KMS OpenAPI error codes worth retrying (here or on another source); the rest are final. */
const RETRYABLE_CODES = new Set([
  'Rejected.Throttling',
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'ServiceUnavailableTemporary',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalError',
  'UnknownError',
]);

/** Node socket errors: the service may answer on the next try or at another endpoint. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPROTO',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Certificate verification failures: a wrong or missing CA (caFilePath), or someone in the middle. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Context of a failed call, for the message. */
export interface OpenApiCallContext {
  /** Description of the source. */
  source: string;
  secretName: string;
  /**
   * The error answer's response headers, when the transport kept them (the SDK's error drops them): a
   * throttled answer's hints (`x-acs-retry-after`, `x-ratelimit-user(-api)`) become `KmsError.throttleHints`.
   */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/**
 * Maps what `@alicloud/openapi-client` throws to a {@link KmsError}: service errors keep their `Code`,
 * HTTP status and `RequestId`; throttling, `ServiceUnavailableTemporary`, `InternalFailure`, other 5xx,
 * network errors, timeouts and unreadable bodies are retryable; everything else (missing secret, denied,
 * bad signature, unknown AccessKey, TLS verification failures) is final. KmsErrors pass through.
 * Messages never contain credentials: server messages that may echo a string-to-sign are left out.
 */
export function openApiErrorToKmsError(error: unknown, context: OpenApiCallContext): KmsError {
  if (error instanceof KmsError) return error;
  const { source, secretName } = context;
  const prefix = `${source}: GetSecretValue of "${secretName}" failed`;
  const details = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    statusCode?: unknown;
    name?: unknown;
    message?: unknown;
    data?: { RequestId?: unknown; requestId?: unknown; Message?: unknown; message?: unknown };
  };
  const code = typeof details.code === 'string' ? details.code : undefined;

  if (typeof details.statusCode === 'number' && details.data !== undefined && code !== undefined) {
    const httpStatus = details.statusCode;
    const rawRequestId = details.data.RequestId ?? details.data.requestId;
    const requestId = typeof rawRequestId === 'string' && rawRequestId !== '' ? rawRequestId : undefined;
    const serverMessage = publishableServerMessage(code, details.data.Message ?? details.data.message);
    const serviceCode = code === 'undefined' ? KmsErrorCode.HttpError : code;
    const throttleHints = isThrottlingError({ code: serviceCode, httpStatus }) ? parseThrottleHints(context.headers) : undefined;
    return new KmsError(
      `${prefix}: ${serviceCode} (HTTP ${httpStatus}${requestId ? `, request id ${requestId}` : ''})${serverMessage ? `: ${serverMessage}` : ''}`,
      {
        code: serviceCode,
        httpStatus,
        ...(requestId === undefined ? {} : { requestId }),
        retryable: RETRYABLE_CODES.has(serviceCode) || httpStatus >= 500 || httpStatus === 429,
        source,
        ...(throttleHints === undefined ? {} : { throttleHints }),
        cause: error,
      },
    );
  }
  if (error instanceof SyntaxError) {
    return new KmsError(`${prefix}: the response is not JSON`, { code: KmsErrorCode.InvalidResponse, retryable: true, source, cause: error });
  }
  const name = typeof details.name === 'string' ? details.name : '';
  if (name.includes('Timeout')) {
    return new KmsError(`${prefix}: timed out (${name})`, { code: KmsErrorCode.Timeout, retryable: true, source, cause: error });
  }
  if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
    return new KmsError(
      `${prefix}: TLS certificate verification failed (${code}); for a KMS instance gateway set caFilePath to its CA file (root and second CA)`,
      { code: KmsErrorCode.TlsVerificationFailed, retryable: false, source, cause: error },
    );
  }
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('HPE_') || code.startsWith('ERR_SSL_'))) {
    return new KmsError(`${prefix}: network error (${code})`, { code: KmsErrorCode.NetworkError, retryable: true, source, cause: error });
  }
  return new KmsError(`${prefix}: ${code ?? (name || 'unexpected error')}`, {
    code: KmsErrorCode.UnexpectedError,
    retryable: false,
    source,
    cause: error,
  });
}

/** The server's message, unless it may echo a string-to-sign (which can include an STS token); capped. */
function publishableServerMessage(code: string, message: unknown): string | undefined {
  if (typeof message !== 'string' || message === '') return undefined;
  if (/signature|securitytoken/i.test(code) || /string.?to.?sign/i.test(message)) return undefined;
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
