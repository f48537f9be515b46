/**
 * A failure the {@link LocalDkms} emulator plays instead of (or before) a normal answer. Faults sit in a
 * queue; each applies to the next `times` requests (or connections, for `refuseConnections`) or until
 * `clearFaults()`.
 */
export type DkmsFault =
  /** Hold the request for `delayMs` (emulator clock), then answer normally. `Infinity` holds until stop. */
  | { kind: 'latency'; delayMs: number }
  /** HTTP 503 `ServiceUnavailableTemporary`. */
  | { kind: 'serviceUnavailable' }
  /** `Rejected.Throttling` (HTTP 429 here; the real status is undocumented). */
  | { kind: 'throttling' }
  /** HTTP 500 `InternalFailure`. */
  | { kind: 'internalFailure' }
  /** Any protobuf `Error` answer. */
  | { kind: 'error'; httpStatus: number; errorCode: string; errorMessage?: string }
  /** Reset the TCP connection after reading the request. */
  | { kind: 'connectionReset' }
  /** Close new connections before the TLS handshake (and the connection of a request that gets through). */
  | { kind: 'refuseConnections' }
  /** A body that is not protobuf, e.g. a proxy's HTML error page; default HTTP 502 text/html. */
  | { kind: 'nonProtobufBody'; httpStatus?: number; body?: string; contentType?: string };

/** How long a fault stays in the queue. */
export interface DkmsFaultOptions {
  /** Number of requests (connections for `refuseConnections`) it applies to; default 1; `Infinity` until cleared. */
  times?: number;
}
