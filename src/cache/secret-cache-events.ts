import type { RefreshBasis } from './refresh-schedule.js';

/** What started a fetch: the first read, the schedule, a backoff retry, or `refreshNow`. */
export type RefreshTrigger = 'load' | 'scheduled' | 'retry' | 'forced';

/** Payload of the `refresh` event: a fetch succeeded. Summaries only, never secret values. */
export interface SecretRefreshEvent {
  secretName: string;
  trigger: RefreshTrigger;
  versionId: string | undefined;
  /** The AccessKeyId now held, for RAM-credential secrets. */
  accessKeyId: string | undefined;
  /** Fingerprint of the AccessKey secret now held (`sha256` prefix), or of the SecretData for other secrets. */
  fingerprint: string;
  /** Whether the value differs from the one held before. */
  changed: boolean;
  /** Time spent in the source, ms. */
  durationMs: number;
  /** When the next scheduled refresh is due, epoch ms. */
  nextRefreshAtMs: number;
  /** The rule that chose `nextRefreshAtMs`. */
  basis: RefreshBasis;
}

/** Payload of the `rotate` event: the AccessKeyId changed. */
export interface SecretRotateEvent {
  secretName: string;
  trigger: RefreshTrigger;
  previousAccessKeyId: string;
  accessKeyId: string;
  versionId: string | undefined;
}

/** Payload of the `error` event: a fetch failed (or returned unusable data). */
export interface SecretErrorEvent {
  secretName: string;
  trigger: RefreshTrigger;
  /** A `KmsError`, `SecretDataError` or other error; all are secret-free. */
  error: unknown;
  /** Consecutive failures so far, this one included. */
  consecutiveFailures: number;
  /** Whether a last good value is still being served. */
  servingStale: boolean;
  /** When the background retry is due, epoch ms; absent when nothing will retry on its own (first load). */
  retryAtMs: number | undefined;
}

/** Payload of the `stale` event: a value whose refresh failed is being served (once per failed refresh). */
export interface SecretStaleEvent {
  secretName: string;
  accessKeyId: string | undefined;
  versionId: string | undefined;
  /** Since when refreshing has been failing, epoch ms. */
  staleSinceMs: number;
  /** The latest refresh error. */
  lastError: unknown;
}

/** The typed events of `SecretCacheClient` (for `client.on(name, listener)`). */
export interface SecretCacheEvents {
  refresh: [event: SecretRefreshEvent];
  rotate: [event: SecretRotateEvent];
  error: [event: SecretErrorEvent];
  stale: [event: SecretStaleEvent];
}

/**
 * `node:diagnostics_channel` names on which every `SecretCacheClient` publishes the same payloads as its
 * events, for metrics and tracing without holding a reference to the client. Each message also carries
 * `client` (the publishing client's `id`).
 */
export const SECRET_CACHE_CHANNELS = Object.freeze({
  refresh: 'ali-oss-managed-credentials:cache:refresh',
  rotate: 'ali-oss-managed-credentials:cache:rotate',
  error: 'ali-oss-managed-credentials:cache:error',
  stale: 'ali-oss-managed-credentials:cache:stale',
} satisfies Record<keyof SecretCacheEvents, string>);
