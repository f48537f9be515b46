import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { SecretDataError } from '../credentials/secret-data-error.js';
import type { SecretInfo } from '../kms/secret-info.js';
import type { EntryTimer } from './entry-timer.js';
import { RejectedKeys } from './rejected-keys.js';
import type { RefreshTrigger } from './secret-cache-events.js';

/** One running fetch of a secret; every caller that needs it joins it (single flight). */
export interface SecretFetch {
  /** Settles when the fetch ends (already handled: nobody has to await it). */
  readonly done: Promise<void>;
  readonly controller: AbortController;
  /** Logical start time, ordered exactly against rejection marks (see `RejectedKeys`). */
  readonly sequence: number;
  /** Monotonic ms by which the fetch has settled (`fetchTimeoutMs` after the start). */
  readonly deadlineAtMs: number;
}

/** Progress of the recovery from a rejected (or expiring) key; reset when a usable key is held. */
export interface RecoveryState {
  /** KMS answers that confirmed the unusable key (see `nextRecoveryAttempt`). */
  confirmations: number;
  /** Last time a caller reported a rejection of the held key (monotonic); recovery idles out without demand. */
  lastDemandAtMs: number | undefined;
  /** The held key is only suspected (code-less 403), not confirmed rejected. */
  suspected: boolean;
}

/**
 * The mutable state of one secret inside a `SecretCacheClient` (internal). The client owns every
 * transition; this class only groups the fields. Times ending in `MonoMs` are monotonic.
 */
export class SecretEntry {
  /** Last good version. */
  info: SecretInfo | undefined;
  /** `info` parsed as an AccessKey, when it is one. */
  credential: AccessKeyCredential | undefined;
  /** Why `info` is not an AccessKey (only while no AccessKey has ever been held). */
  credentialError: SecretDataError | undefined;
  /** Wall-clock time of the last successful fetch (compared with KMS dates). */
  fetchedAtMs: number | undefined;
  /** Last KMS answer of any kind, monotonic (paces forced and recovery fetches). */
  lastAnswerAtMonoMs: number | undefined;
  consecutiveFailures = 0;
  /** Consecutive throttled answers (HTTP 429) up to the last one; 0 after any other answer. */
  consecutiveThrottles = 0;
  lastError: unknown;
  /** The first load failed and nothing was ever loaded: reads fail fast while a background retry runs. */
  loadFailed = false;
  /** Set at the first failed refresh while a value is held; cleared by a success. Monotonic. */
  staleSinceMonoMs: number | undefined;
  /** Whether the `stale` event for the current failure was published. */
  staleAnnounced = true;
  /** Monotonic due time of the regular schedule chosen at the last success (restored after a recovery). */
  scheduledDueAtMonoMs: number | undefined;
  /** Start of the expiry window of the held credential, wall clock (undefined: it does not expire). */
  expiryWindowStartMs: number | undefined;
  readonly rejected = new RejectedKeys();
  recovery: RecoveryState = { confirmations: 0, lastDemandAtMs: undefined, suspected: false };
  /** When the next recovery fetch may start (monotonic), drawn once per KMS answer so all callers agree. */
  attemptDueAtMonoMs: number | undefined;
  /** The running fetch; callers join it (single flight). */
  inFlight: SecretFetch | undefined;
  /** Evicted or closed: the entry arms no more timers. */
  detached = false;

  /**
   * @param secretName - the secret this entry caches
   * @param timer - the entry's background timer (schedule, retry, recovery)
   */
  constructor(
    readonly secretName: string,
    readonly timer: EntryTimer<RefreshTrigger>,
  ) {}
}
