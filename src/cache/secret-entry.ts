import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { SecretDataError } from '../credentials/secret-data-error.js';
import type { SecretInfo } from '../kms/secret-info.js';
import type { TimerHandle } from '../runtime/clock.js';
import type { RefreshTrigger } from './secret-cache-events.js';
import type { TokenBucket } from './token-bucket.js';

/**
 * The mutable state of one secret inside a `SecretCacheClient` (internal). The client owns every
 * transition; this class only groups the fields.
 */
export class SecretEntry {
  /** Last good version. */
  info: SecretInfo | undefined;
  /** `info` parsed as an AccessKey, when it is one. */
  credential: AccessKeyCredential | undefined;
  /** Why `info` is not an AccessKey (only while no AccessKey has ever been held). */
  credentialError: SecretDataError | undefined;
  fetchedAtMs: number | undefined;
  consecutiveFailures = 0;
  lastError: unknown;
  /** Set at the first failed refresh while a value is held; cleared by a success. */
  staleSinceMs: number | undefined;
  /** Whether the `stale` event for the current failure was published. */
  staleAnnounced = true;
  /** The running fetch; callers join it (single flight). */
  inFlight: Promise<void> | undefined;
  inFlightController: AbortController | undefined;
  timer: TimerHandle | undefined;
  /** When the armed timer's work is due (may lie beyond one capped timer period). */
  dueAtMs: number | undefined;
  dueTrigger: RefreshTrigger = 'scheduled';
  /** Evicted or closed: the entry arms no more timers. */
  detached = false;

  /**
   * @param secretName - the secret this entry caches
   * @param forcedRefreshBudget - the per-secret token bucket of `refreshNow`
   */
  constructor(
    readonly secretName: string,
    readonly forcedRefreshBudget: TokenBucket,
  ) {}
}
