import { KmsErrorCode } from '../../kms/kms-error.js';

/**
 * How a network call failed before any answer came, as far as the error tells:
 * - `connect-timeout`: no connection (TCP, or the TLS handshake) within the connect timeout, or the host is
 *   unreachable: packets are dropped on the way, typically outside the VPC or by a security group;
 * - `no-answer`: the connection was accepted and the request sent, but no answer came in time;
 * - `timeout`: it timed out, in a phase the error does not tell;
 * - `refused`: nothing listens at that host and port;
 * - `dns`: the host name does not resolve;
 * - `tls`: the server certificate is not trusted;
 * - `not-tls`: the port does not speak TLS (a wrong port);
 * - `closed`: the connection was closed or reset without an answer.
 */
export type TransportFailure = 'connect-timeout' | 'no-answer' | 'timeout' | 'refused' | 'dns' | 'tls' | 'not-tls' | 'closed';

const BY_KMS_ERROR_CODE: Readonly<Record<string, TransportFailure>> = {
  [KmsErrorCode.ConnectTimeout]: 'connect-timeout',
  [KmsErrorCode.ReadTimeout]: 'no-answer',
  [KmsErrorCode.Timeout]: 'timeout',
  [KmsErrorCode.FetchTimeout]: 'timeout',
  [KmsErrorCode.TlsVerificationFailed]: 'tls',
};

const BY_SOCKET_ERROR_CODE: Readonly<Record<string, TransportFailure>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  ETIMEDOUT: 'connect-timeout',
  EHOSTUNREACH: 'connect-timeout',
  ENETUNREACH: 'connect-timeout',
  ECONNRESET: 'closed',
  ECONNABORTED: 'closed',
  EPIPE: 'closed',
  ERR_STREAM_PREMATURE_CLOSE: 'closed',
  EPROTO: 'not-tls',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
};

/** ali-oss (urllib) errors keep only a name and a message, so the socket error is read from the text. */
const BY_MESSAGE: ReadonlyArray<[RegExp, TransportFailure]> = [
  [/ECONNREFUSED/, 'refused'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/, 'dns'],
  [/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH/, 'connect-timeout'],
  [/wrong version number|EPROTO/i, 'not-tls'],
  [/certificate|self[- ]signed|CERT_/i, 'tls'],
  [/ECONNRESET|socket hang up|EPIPE/i, 'closed'],
];

/**
 * Classifies `error` (a `KmsError`, an ali-oss error or a Node socket error) as a {@link TransportFailure},
 * or `undefined` when the service answered (the error has an HTTP status) or the error is something else.
 */
export function classifyTransportFailure(error: unknown): TransportFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name, message, httpStatus, status } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    httpStatus?: unknown;
    status?: unknown;
  };
  if ((typeof httpStatus === 'number' && httpStatus > 0) || (typeof status === 'number' && status > 0)) return undefined;
  if (typeof code === 'string') {
    const byCode = BY_KMS_ERROR_CODE[code] ?? BY_SOCKET_ERROR_CODE[code];
    if (byCode !== undefined) return byCode;
    if (code === KmsErrorCode.NetworkError) return socketFailure((error as { cause?: unknown }).cause) ?? 'closed';
  }
  if (name === 'ConnectionTimeoutError') return 'connect-timeout';
  if (name === 'ResponseTimeoutError') return 'no-answer';
  if (typeof name === 'string' && /^(RequestError|ResponseError)$/.test(name) && typeof message === 'string') {
    return BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1];
  }
  return undefined;
}

/** The failure named by the first Node socket error code along a `cause` chain. */
function socketFailure(error: unknown): TransportFailure | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    const failure = typeof code === 'string' ? BY_SOCKET_ERROR_CODE[code] : undefined;
    if (failure !== undefined) return failure;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
