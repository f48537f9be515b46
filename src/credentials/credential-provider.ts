import type { Deadline } from '../runtime/deadline.js';
import type { AccessKeyCredential } from './access-key-credential.js';

/** Result of {@link CredentialProvider.refreshNow}. */
export interface RefreshOutcome {
  /** The credential the cache holds after the refresh (or the last good one if the refresh failed). */
  credential: AccessKeyCredential;
  /** Whether `credential` differs from the stale key; callers retry a rejected call only when true. */
  changed: boolean;
  /**
   * How it was obtained: `cached` (the cache already held another key not known rejected, no KMS call),
   * `fetched` (this call started the KMS fetch), `joined` (joined a fetch already in flight), `paced` (KMS
   * confirmed the rejected key recently; the next attempt is due at `retryAtMs`, nothing fetched now),
   * `failed` (the fetch failed; last good key returned).
   */
  via: 'cached' | 'fetched' | 'joined' | 'paced' | 'failed';
  /** The error of a failed refresh, when `via` is `failed`. */
  error?: unknown;
  /** When `via` is `paced`: when the cache will ask KMS again, epoch ms. */
  retryAtMs?: number;
}

/** Options of {@link CredentialProvider.refreshNow}. */
export interface RefreshNowOptions {
  /** AccessKeyId that was rejected; if the cache already holds another key, no KMS call is made. */
  staleAccessKeyId?: string;
  /**
   * The failure only suggests the key may be bad (e.g. a 403 without an error code, which ali-oss reports
   * for `getStream` whatever the cause): the key is not marked rejected, and KMS is asked at most at the
   * recovery pace.
   */
  suspected?: boolean;
  /** Abandons this caller's wait (a shared fetch goes on). */
  signal?: AbortSignal;
  /** The call's one deadline (see {@link CredentialProvider.callDeadline}); default: `fetch_timeout` from now. */
  deadline?: Deadline;
}

/** Per-call options of {@link CredentialProvider.getCredential}. */
export interface GetCredentialOptions {
  /** Abandons this caller's wait (a shared fetch goes on). */
  signal?: AbortSignal;
  /** The call's one deadline (see {@link CredentialProvider.callDeadline}); default: `fetch_timeout` from now. */
  deadline?: Deadline;
}

/**
 * What a ProxyBucket needs from the cache: the current AccessKey of a secret, synchronous access to it
 * once loaded, and a forced refresh after the key was rejected. `SecretCacheClient` implements it.
 */
export interface CredentialProvider {
  /** The current credential of `secretName`; the first call waits for the first load. */
  getCredential(secretName: string, options?: GetCredentialOptions): Promise<AccessKeyCredential>;
  /** The current credential if it is loaded, without I/O; `undefined` before the first load. */
  peekCredential(secretName: string): AccessKeyCredential | undefined;
  /** Forces a coalesced, paced refresh after `staleAccessKeyId` was rejected. */
  refreshNow(secretName: string, options?: RefreshNowOptions): Promise<RefreshOutcome>;
  /**
   * Reports that a request signed with `accessKeyId` succeeded after that key had been reported rejected:
   * the rejection is forgotten (OSS accepted a new key late) and recovery stops. Optional; cheap.
   */
  reportKeyAccepted?(secretName: string, accessKeyId: string): void;
  /**
   * A deadline for one call starting now (`fetch_timeout` on the provider's clock). A client creates it when a
   * call starts and passes it to every `getCredential` and `refreshNow` of that call, so the call's waits
   * together never exceed it. Optional: without it each wait is bounded on its own.
   */
  callDeadline?(): Deadline;
  /**
   * Who serves the keys, as a rejected call's error names it ("`KMS` still serves this AccessKey"): `KMS`, `the
   * KMS Agent`, `the credentials provider`. Optional; `KMS` when unset.
   */
  readonly servedBy?: string;
}
