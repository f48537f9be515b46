import type { AccessKeyCredential } from './access-key-credential.js';

/** Result of {@link CredentialProvider.refreshNow}. */
export interface RefreshOutcome {
  /** The credential the cache holds after the refresh (or the last good one if the refresh failed). */
  credential: AccessKeyCredential;
  /** Whether `credential` differs from the stale key; callers retry a rejected call only when true. */
  changed: boolean;
  /**
   * How it was obtained: `cached` (the cache already held a newer key, no KMS call), `fetched` (this call
   * started the KMS fetch), `joined` (joined a fetch already in flight), `rate-limited` (the forced-refresh
   * budget is spent; nothing fetched), `failed` (the fetch failed; last good key returned).
   */
  via: 'cached' | 'fetched' | 'joined' | 'rate-limited' | 'failed';
  /** The error of a failed refresh, when `via` is `failed`. */
  error?: unknown;
}

/** Options of {@link CredentialProvider.refreshNow}. */
export interface RefreshNowOptions {
  /** AccessKeyId that was rejected; if the cache already holds another key, no KMS call is made. */
  staleAccessKeyId?: string;
  signal?: AbortSignal;
}

/**
 * What a ProxyBucket needs from the cache: the current AccessKey of a secret, synchronous access to it
 * once loaded, and a forced refresh after the key was rejected. `SecretCacheClient` implements it.
 */
export interface CredentialProvider {
  /** The current credential of `secretName`; the first call waits for the first load. */
  getCredential(secretName: string, options?: { signal?: AbortSignal }): Promise<AccessKeyCredential>;
  /** The current credential if it is loaded, without I/O; `undefined` before the first load. */
  peekCredential(secretName: string): AccessKeyCredential | undefined;
  /** Forces a coalesced, rate-limited refresh after `staleAccessKeyId` was rejected. */
  refreshNow(secretName: string, options?: RefreshNowOptions): Promise<RefreshOutcome>;
}
