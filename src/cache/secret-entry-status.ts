/**
 * Lifecycle state of one cached secret:
 * `empty` (never fetched), `loading` (first fetch running), `failed` (first fetch failed; reads fail fast
 * with its error while a background retry heals it), `fresh` (value held, last refresh succeeded),
 * `refreshing` (value held, a fetch is running), `stale` (value held, its refresh failed; served while
 * retrying with backoff), `recovering` (the AccessKey held was rejected; KMS is re-asked with backoff).
 */
export type SecretEntryState = 'empty' | 'loading' | 'failed' | 'fresh' | 'refreshing' | 'stale' | 'recovering';

/** A secret-free summary of one cached secret, for diagnostics (`SecretCacheClient.getStatus`). */
export interface SecretEntryStatus {
  secretName: string;
  state: SecretEntryState;
  /** The AccessKeyId held, for RAM-credential secrets. */
  accessKeyId: string | undefined;
  /** Fingerprint of the AccessKey secret held (or of the SecretData for other secrets). */
  fingerprint: string | undefined;
  versionId: string | undefined;
  /** When the held value was fetched, epoch ms. */
  fetchedAtMs: number | undefined;
  /** When the next scheduled refresh or retry is due, epoch ms. */
  nextRefreshAtMs: number | undefined;
  /** Failed fetches since the last success. */
  consecutiveFailures: number;
  /** Since when refreshing has been failing while a value is served, epoch ms. */
  staleSinceMs: number | undefined;
  /** The code of the latest failure, if the latest fetch failed (e.g. `Rejected.Throttling`). */
  lastErrorCode: string | undefined;
  /** When the held credential expires (`ExpireTimestamp`), epoch ms. */
  expiresAtMs: number | undefined;
  /** AccessKeyIds OSS rejected that the cache remembers (oldest first). */
  rejectedAccessKeyIds: string[];
  /** KMS answers that confirmed the rejected key since recovery began (drives the recovery backoff). */
  recoveryConfirmations: number;
}
