/**
 * A failure the {@link LocalDkms} emulator plays instead of (or before) a normal answer. Faults sit in a
 * queue; each applies to the next `times` requests (or connections, for `refuseConnections` and
 * `stallHandshake`) or until `clearFaults()`.
 *
 * Which fault emulates which outage:
 * - endpoint down (connection refused or closed at once): `refuseConnections`;
 * - a host that accepts TCP but never completes TLS (a black-holing firewall or load balancer, an overloaded
 *   TLS terminator): `stallHandshake`, so the client's connect timeout fires;
 * - an endpoint that accepts the request and never answers: `latency` with `delayMs: Infinity`, so the
 *   client's read timeout fires;
 * - a slow endpoint: `latency` with a finite `delayMs`.
 */
export type DkmsFault =
  /**
   * Hold the request for `delayMs` (emulator clock), then answer normally. `Infinity` holds it until
   * `close()` without arming a timer: TLS and the request are accepted and no answer ever comes, however far
   * the emulator's clock moves.
   */
  | { kind: 'latency'; delayMs: number }
  /** HTTP 503 `ServiceUnavailableTemporary`. */
  | { kind: 'serviceUnavailable' }
  /**
   * `Rejected.Throttling` (HTTP 429 here; the real status is undocumented), with `headers` as the answer's
   * extra response headers: the throttle hints (see `throttleHintHeaders`); default none.
   */
  | { kind: 'throttling'; headers?: Readonly<Record<string, string>> }
  /** HTTP 500 `InternalFailure`. */
  | { kind: 'internalFailure' }
  /** Any protobuf `Error` answer. */
  | { kind: 'error'; httpStatus: number; errorCode: string; errorMessage?: string }
  /** Reset the TCP connection after reading the request. */
  | { kind: 'connectionReset' }
  /** Close new connections before the TLS handshake (and the connection of a request that gets through). */
  | { kind: 'refuseConnections' }
  /**
   * Accept new TCP connections, read the ClientHello and never answer it (no ServerHello): the handshake
   * stalls until the client gives up or `close()`. {@link LocalDkms.stalledConnections} counts the
   * connections held. Idle keep-alive connections are closed when the fault is queued, so pooled clients
   * must connect anew; a request that still arrives on a connection opened earlier is held unanswered.
   */
  | { kind: 'stallHandshake' }
  /** A body that is not protobuf, e.g. a proxy's HTML error page; default HTTP 502 text/html. */
  | { kind: 'nonProtobufBody'; httpStatus?: number; body?: string; contentType?: string };

/** How long a fault stays in the queue. */
export interface DkmsFaultOptions {
  /**
   * Number of requests (connections for `refuseConnections` and `stallHandshake`) it applies to; default 1;
   * `Infinity` until cleared.
   */
  times?: number;
}
