/**
 * A failure {@link LocalOpenApi} injects into the next matching request(s), before authentication:
 * - `latency`: wait `delayMs` (emulator clock), then answer normally. `delayMs: Infinity` holds the request
 *   unanswered, however far the clock moves, until `close()` drops the connection;
 * - `unavailable`: 503 `ServiceUnavailable`; `throttle`: 400 `Throttling.User`; `internal`: 500 `InternalError`
 *   (optionally after `delayMs`; `httpStatus`, `code` and `message` replace the defaults with a product's own,
 *   e.g. KMS' 429 `Rejected.Throttling`);
 * - `error`: any status and code (optionally after `delayMs`);
 * - `reset`: drop the connection without an answer;
 * - `garbage`: 502 with an HTML body, like a proxy in the way.
 */
export type OpenApiFault =
  | { kind: 'latency'; delayMs: number }
  | ({ kind: 'unavailable' } & OpenApiFaultAnswer)
  | ({ kind: 'throttle' } & OpenApiFaultAnswer)
  | ({ kind: 'internal' } & OpenApiFaultAnswer)
  | { kind: 'error'; httpStatus: number; code: string; message?: string; delayMs?: number; headers?: Readonly<Record<string, string>> }
  | { kind: 'reset' }
  | { kind: 'garbage' };

/** Optional parts of the `unavailable`, `throttle` and `internal` faults' answers. */
export interface OpenApiFaultAnswer {
  httpStatus?: number;
  code?: string;
  message?: string;
  /** Answer after this long (emulator clock). */
  delayMs?: number;
  /**
   * Extra response headers of the answer, e.g. the throttle hints Alibaba's SDKs read:
   * `{ 'x-acs-retry-after': '1500' }` or `{ 'x-ratelimit-user': 'Limit:450,Remain:0,TimeLeft:300' }`
   * (see `throttleHintHeaders`).
   */
  headers?: Readonly<Record<string, string>>;
}

/** Which requests an injected {@link OpenApiFault} applies to, and how often. */
export interface OpenApiFaultOptions {
  /** How many matching requests fail (default 1; `Infinity` until `clearFaults()`). */
  times?: number;
  /** Only requests naming this action (default: any request). */
  action?: string;
  /** Only requests to this exact path (default: any path). */
  path?: string;
}
