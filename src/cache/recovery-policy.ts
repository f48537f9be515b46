import { configKeyDefault } from '../config/config-key-default.js';
import type { ThrottleHints } from '../kms/throttle-hints.js';
import { throttledRetryDelayMs } from '../kms/throttle-pacing.js';
import type { BackoffPolicy } from '../runtime/backoff.js';
import { jitteredDelayMs } from '../runtime/jitter.js';

/** How the cache paces KMS calls while the key it holds cannot be used (rejected by OSS, or about to expire). */
export interface RecoveryPacing {
  /**
   * While KMS keeps confirming an unusable key, no KMS call for the secret sooner than this after its last
   * answer, ms. Default 1000.
   */
  minIntervalMs: number;
  /** Growth of the wait while KMS keeps answering with the unusable key. Default `{ baseMs: 1000, capMs: 30000 }`. */
  backoff: BackoffPolicy;
}

/**
 * The defaults of {@link RecoveryPacing}: about 1 s growing to about 30 s, never more than 1 KMS call/s. The
 * minimum interval and the cap are the `recovery_min_interval` and `recovery_backoff_cap` defaults of the key
 * table; the first step (1 s) has no key.
 */
export const DEFAULT_RECOVERY_PACING: Readonly<RecoveryPacing> = Object.freeze({
  minIntervalMs: configKeyDefault('recovery_min_interval'),
  backoff: Object.freeze({ baseMs: 1000, capMs: configKeyDefault('recovery_backoff_cap') }),
});

/** What {@link nextRecoveryAttempt} decides from. All times monotonic ms. */
export interface RecoveryAttemptInput {
  nowMs: number;
  /**
   * KMS answers that confirmed the unusable key since recovery began (answers to requests sent after the key
   * was marked; 0 when none did yet, e.g. the only answer predates the rejection).
   */
  confirmations: number;
  /** When KMS last answered for this secret (any answer); `undefined`: never. */
  lastAnswerAtMs: number | undefined;
  /** A number in [0, 1) drawn for this decision (full jitter). */
  random: number;
  /**
   * Consecutive throttled KMS answers (HTTP 429) up to the last one; 0 or absent when the last answer was not
   * a throttling.
   */
  throttles?: number;
  /** Ms since the first of those throttled answers (the streak's length; 0 or absent: the first). */
  throttleStreakMs?: number;
  /** The throttle hints of the last (throttled) answer, if it carried any. */
  throttleHints?: ThrottleHints;
}

/** When the next recovery fetch may start, and the rule that chose it. */
export interface RecoveryAttempt {
  /** Monotonic ms; never earlier than `nowMs`. */
  dueAtMs: number;
  rule: 'now' | 'backoff' | 'throttled';
}

/**
 * The next KMS call allowed while the held key is unusable. Pure.
 *
 * - Nothing confirmed the unusable key yet (no answer, or only answers to requests sent before the rejection):
 *   now. The first report of a rejected key is acted on at once.
 * - KMS confirmed it `n` times: `lastAnswer + minIntervalMs + U[0, min(capMs - minIntervalMs, baseMs * 2^(n-1)))`,
 *   so the waits grow from about 1 s to about 30 s with full jitter (a fleet does not re-ask in lockstep), no
 *   two such calls are less than `minIntervalMs` apart, and a burst of failures costs one call per step.
 * - KMS throttled the last `t` attempts in a row (a shared quota is exhausted, often by a whole fleet asking
 *   at once): `lastAnswer + max(minIntervalMs, throttledRetryDelayMs(streak))`, a spread that widens
 *   with the time the throttling has lasted, so a fleet's retries fit the quota instead of being throttled again.
 */
export function nextRecoveryAttempt(input: RecoveryAttemptInput, pacing: RecoveryPacing): RecoveryAttempt {
  const { nowMs, confirmations, lastAnswerAtMs } = input;
  const { minIntervalMs, backoff } = pacing;
  const throttles = input.throttles ?? 0;
  if (lastAnswerAtMs !== undefined && throttles > 0) {
    const dueAtMs = lastAnswerAtMs + Math.max(minIntervalMs, throttledRetryDelayMs(input.throttleStreakMs ?? 0, input.random, undefined, input.throttleHints));
    return dueAtMs > nowMs ? { dueAtMs, rule: 'throttled' } : { dueAtMs: nowMs, rule: 'now' };
  }
  if (lastAnswerAtMs === undefined || confirmations <= 0) return { dueAtMs: nowMs, rule: 'now' };
  const exponent = Math.min(confirmations - 1, 52);
  const spreadMs = Math.max(0, Math.min(backoff.capMs - minIntervalMs, backoff.baseMs * 2 ** exponent));
  const dueAtMs = lastAnswerAtMs + minIntervalMs + jitteredDelayMs(0, spreadMs, input.random);
  return dueAtMs > nowMs ? { dueAtMs, rule: 'backoff' } : { dueAtMs: nowMs, rule: 'now' };
}

/** What a forced refresh (a caller whose request was rejected) does next. */
export type ForcedRefreshStep =
  /** The cache holds another key that is not known rejected: retry with it, no KMS call. */
  | { kind: 'cached' }
  /** A fetch is running: wait for it. */
  | { kind: 'join' }
  /** Start a fetch now. */
  | { kind: 'fetch' }
  /** A fetch is allowed soon (within the hold limit): wait until `dueAtMs`, then decide again. */
  | { kind: 'hold'; dueAtMs: number }
  /** No fetch is allowed soon: answer at once with the held key (the caller sees its error). */
  | { kind: 'paced'; dueAtMs: number };

/** What {@link planForcedRefresh} decides from. */
export interface ForcedRefreshInput {
  /** Monotonic now. */
  nowMs: number;
  /** Whether the held key differs from the rejected one and is not itself known rejected. */
  heldKeyUsable: boolean;
  fetchRunning: boolean;
  /** When the next attempt is allowed (monotonic; see {@link nextRecoveryAttempt}). */
  attemptDueAtMs: number;
  /** Longest a caller waits for an attempt that is not due yet (the minimum interval). */
  holdMaxMs: number;
  /**
   * KMS throttled the last attempt: it is up and will answer when the quota has room, so the caller waits
   * for the next attempt however far it is (the caller's deadline still applies) instead of failing now.
   */
  throttled?: boolean;
}

/**
 * Decides the next step of a forced refresh. Pure; the cache loops over it until it can answer (and turns a
 * `hold` past the caller's deadline into an answer at once).
 */
export function planForcedRefresh(input: ForcedRefreshInput): ForcedRefreshStep {
  if (input.heldKeyUsable) return { kind: 'cached' };
  if (input.fetchRunning) return { kind: 'join' };
  const dueAtMs = input.attemptDueAtMs;
  if (dueAtMs <= input.nowMs) return { kind: 'fetch' };
  if (dueAtMs - input.nowMs <= input.holdMaxMs || input.throttled === true) return { kind: 'hold', dueAtMs };
  return { kind: 'paced', dueAtMs };
}
