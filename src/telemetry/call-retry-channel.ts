/**
 * The `node:diagnostics_channel` on which the shared call core reports what it did after a call failed on a
 * rejected key. The name is fixed by agreement with the call core (src/call/), which publishes on it; the
 * telemetry bridge only subscribes, so the two meet by name and neither imports the other.
 */
export const CALL_RETRY_CHANNEL = 'ali-oss-managed-credentials:call:retry';

/** Payload of {@link CALL_RETRY_CHANNEL}: one call that failed on a rejected key, and what happened next. */
export interface CallRetryEvent {
  secretName: string;
  /** Which adapter made the call. */
  client: 'ali-oss' | 'tea';
  /**
   * `retried`: sent again with a newer key; `key-unchanged`: not retried, the cache has no other key;
   * `not-replayable`: not retried, its body cannot be sent twice.
   */
  outcome: 'retried' | 'key-unchanged' | 'not-replayable';
}
