/**
 * A failure {@link LocalKms} injects into the next request(s), to test retries and failover:
 * - `latency`: wait `delayMs` (emulator clock), then answer normally (a slow region). `delayMs: Infinity`
 *   accepts the request and never answers it, however far the clock moves, until `close()` drops the
 *   connection: an endpoint that accepts but never answers, so the client's read timeout fires;
 * - `unavailable`: 503 `ServiceUnavailableTemporary`; `throttle`: 429 `Rejected.Throttling`;
 *   `internal`: 500 `InternalFailure` (all three are retryable);
 * - `reset`: drop the connection without an answer;
 * - `garbage`: 502 with an HTML body, like a proxy in the way;
 * - `error`: any JSON error.
 */
export type LocalKmsFault =
  | { kind: 'latency'; delayMs: number }
  | { kind: 'unavailable' }
  | {
      kind: 'throttle';
      /** Response headers of the throttled answer: the throttle hints (see `throttleHintHeaders`); default none. */
      headers?: Readonly<Record<string, string>>;
    }
  | { kind: 'internal' }
  | { kind: 'reset' }
  | { kind: 'garbage' }
  | { kind: 'error'; httpStatus: number; code: string; message?: string; headers?: Readonly<Record<string, string>> };
