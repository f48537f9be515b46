import type { ThrottleHints } from '../kms/throttle-hints.js';
import type { RefreshBasis } from './refresh-schedule.js';

/**
 * What started a fetch: the first read (`load`), the schedule (`scheduled`), a backoff retry after a failed
 * fetch (`retry`), `refreshNow` after a rejected key (`forced`), the background re-ask while the held key is
 * rejected (`recovery`), or a read of a credential past its `ExpireTimestamp` (`expiry`).
 */
export type RefreshTrigger = 'load' | 'scheduled' | 'retry' | 'forced' | 'recovery' | 'expiry';

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
  /** When the next refresh is due, epoch ms. */
  nextRefreshAtMs: number;
  /**
   * The rule that chose `nextRefreshAtMs`: a {@link RefreshBasis} of the schedule, or `recovery` when the
   * key now held is known rejected (KMS is asked again with backoff).
   */
  basis: RefreshBasis | 'recovery';
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
  /** When the background retry (or recovery attempt) is due, epoch ms; absent only for an entry evicted or closed meanwhile. */
  retryAtMs: number | undefined;
  /** Time spent in the source before the fetch failed (or hit its deadline), ms. */
  durationMs: number;
  /**
   * What the throttled KMS answer behind this failure said about the quota (`x-ratelimit-user(-api)` Limit,
   * Remain, TimeLeft; `x-acs-retry-after`), when KMS sent such headers; absent otherwise.
   */
  throttleHints?: ThrottleHints;
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

/** Payload of the `reject` event: a caller reported that OSS rejected an AccessKey (`refreshNow`). */
export interface SecretRejectEvent {
  secretName: string;
  /** The rejected AccessKeyId. */
  accessKeyId: string;
  /**
   * `true` for weak evidence (a 403 without an error code, see `RefreshNowOptions.suspected`): the key is not
   * marked rejected, only re-checked with KMS at the recovery pace.
   */
  suspected: boolean;
  /** Whether it is the key the cache holds (otherwise the cache already moved on). */
  held: boolean;
}

/** The typed events of `SecretCacheClient` (for `client.on(name, listener)`). */
export interface SecretCacheEvents {
  refresh: [event: SecretRefreshEvent];
  rotate: [event: SecretRotateEvent];
  error: [event: SecretErrorEvent];
  stale: [event: SecretStaleEvent];
  reject: [event: SecretRejectEvent];
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
  reject: 'ali-oss-managed-credentials:cache:reject',
} satisfies Record<keyof SecretCacheEvents, string>);
