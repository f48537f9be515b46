/**
 * Lifecycle state of one cached secret:
 * `empty` (never fetched), `loading` (first fetch running), `failed` (first fetch failed; the next read
 * retries), `fresh` (value held, last refresh succeeded), `refreshing` (value held, a fetch is running),
 * `stale` (value held, its refresh failed; served while retrying with backoff).
 */
export type SecretEntryState = 'empty' | 'loading' | 'failed' | 'fresh' | 'refreshing' | 'stale';

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
  /** Forced refreshes left in the current budget. */
  forcedRefreshTokens: number;
}
