import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { SecretDataError } from '../credentials/secret-data-error.js';
import type { SecretInfo } from '../kms/secret-info.js';
import type { EntryTimer } from './entry-timer.js';
import type { RecoveryEpisode } from './recovery-episode.js';
import { RejectedKeys } from './rejected-keys.js';
import type { RefreshTrigger } from './secret-cache-events.js';

/** One running fetch of a secret; every caller that needs it joins it (single flight). */
export interface SecretFetch {
  /** Settles when the fetch ends (already handled: nobody has to await it). */
  readonly done: Promise<void>;
  readonly controller: AbortController;
  /** Logical start time, ordered exactly against rejection reports (see `RecoveryEpisode.reportedAt`). */
  readonly sequence: number;
  /** Monotonic ms by which the fetch has settled (`fetchTimeoutMs` after the start). */
  readonly deadlineAtMs: number;
}

/** The last good version of a secret, as held by the cache. */
export interface HeldValue {
  readonly info: SecretInfo;
  /** `info` parsed as an AccessKey, when it is one. */
  readonly credential: AccessKeyCredential | undefined;
  /** Why `info` is not an AccessKey (only while no AccessKey has ever been held). */
  readonly credentialError: SecretDataError | undefined;
  /** Wall-clock time of the fetch that brought it (compared with KMS dates). */
  readonly fetchedAtMs: number;
}

/**
 * What a cache entry holds, one explicit state at a time:
 * - `unloaded`: nothing yet (the first load may be running);
 * - `load-failed`: the first load failed; reads fail fast with `error` while a background retry heals it;
 * - `serving`: a value is held and its last refresh succeeded;
 * - `stale`: a value is held but refreshing has failed since `sinceMonoMs` (served on, within `maxStalenessMs`).
 */
export type EntryState =
  | { readonly kind: 'unloaded' }
  | { readonly kind: 'load-failed'; readonly error: unknown }
  | { readonly kind: 'serving'; readonly value: HeldValue }
  | { readonly kind: 'stale'; readonly value: HeldValue; readonly sinceMonoMs: number; announced: boolean };

/** The schedule chosen at the last success. Monotonic ms except where named. */
export interface EntrySchedule {
  /** When the regular refresh is due (restored after a recovery). */
  readonly dueAtMonoMs: number;
  /** Start of the expiry window of the held credential, wall clock (undefined: it does not expire). */
  readonly expiryWindowStartMs: number | undefined;
  /**
   * Wall-clock time of the first answer that brought the held credential: the origin of its lifetime, kept
   * while KMS repeats the same credential so the expiry window is planned once, not per answer.
   */
  readonly lifetimeOriginMs: number | undefined;
}

/**
 * The pace of KMS asks while the held key cannot be used (rejected, or in its expiry window): drawn once per
 * KMS answer so all callers agree, grown by each answer that did not bring a usable key.
 */
export interface RecoveryPace {
  /** Answers (confirmations or failures) since the key became unusable: the backoff step. */
  steps: number;
  /** When the next recovery fetch may start (monotonic); drawn when first needed after an answer. */
  nextAttemptAtMonoMs: number | undefined;
}

/**
 * The mutable state of one secret inside a `SecretCacheClient` (internal). The client owns every transition;
 * this class only groups the fields.
 */
export class SecretEntry {
  state: EntryState = { kind: 'unloaded' };
  /** The recovery from a rejected (or suspected) held key, while one is going on. */
  episode: RecoveryEpisode | undefined;
  readonly pace: RecoveryPace = { steps: 0, nextAttemptAtMonoMs: undefined };
  schedule: EntrySchedule | undefined;
  /** Every AccessKeyId OSS rejected (bounded): a key among them is not offered as a replacement. */
  readonly rejected = new RejectedKeys();
  /** Last KMS answer of any kind, monotonic (paces forced and recovery fetches). */
  lastAnswerAtMonoMs: number | undefined;
  consecutiveFailures = 0;
  /** Consecutive throttled answers (HTTP 429) up to the last one; 0 after any other answer. */
  consecutiveThrottles = 0;
  /** Monotonic ms of the first of the consecutive throttled answers; undefined when the last answer was not one. */
  throttledSinceMonoMs: number | undefined = undefined;
  lastError: unknown;
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

  /** The held value, in `serving` and `stale`. */
  get value(): HeldValue | undefined {
    const state = this.state;
    return state.kind === 'serving' || state.kind === 'stale' ? state.value : undefined;
  }

  /** The held AccessKey, if the held value is one. */
  get credential(): AccessKeyCredential | undefined {
    return this.value?.credential;
  }
}
