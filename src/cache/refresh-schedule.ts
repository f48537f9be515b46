/** The knobs of the refresh schedule, all in ms. */
export interface RefreshSchedulePolicy {
  /** Longest wait between two refreshes of a rotating RAM AccessKey (default 6 h). */
  rotationIntervalMs: number;
  /** Wait after `NextRotationDate` so the new key is in place before it is read (default 5 min). */
  delayIntervalMs: number;
  /** Refresh interval of other secrets without a `RefreshInterval` hint (default 1 h). */
  defaultTtlMs: number;
}

/** What the schedule is computed from. */
export interface RefreshScheduleInput {
  /** Now, epoch ms. */
  nowMs: number;
  /** Whether the secret is a rotating RAM user AccessKey (see `isRamUserAccessKeySecret`). */
  rotatingAccessKey: boolean;
  /** When KMS rotates the secret next, epoch ms; missing, NaN or infinite means unknown. */
  nextRotationDateMs?: number | undefined;
  /** Refresh interval from the secret's `RefreshInterval`; ignored for rotating AccessKeys; invalid means none. */
  ttlMs?: number | undefined;
  /** Random spread drawn for this refresh (negative or NaN counts as 0). */
  jitterMs: number;
}

/** Which rule chose the time (`expiry`: ahead of the credential's `ExpireTimestamp`, see `refreshBeforeExpiry`). */
export type RefreshBasis = 'next-rotation' | 'rotation-interval' | 'ttl' | 'expiry';

/** When to refresh next. */
export interface RefreshSchedule {
  /** Epoch ms; always later than `nowMs`. */
  dueAtMs: number;
  /** `dueAtMs - nowMs`; may exceed the timer limit (2^31-1 ms), so callers re-arm capped timers. */
  delayMs: number;
  basis: RefreshBasis;
}

/** No schedule comes sooner than this, so a `RefreshInterval` of `0.001s` cannot make a busy loop. */
export const MIN_REFRESH_DELAY_MS = 1000;
/** No schedule comes later than this (about 100 years), so sums stay exact integers. */
export const MAX_REFRESH_DELAY_MS = 100 * 365 * 24 * 60 * 60 * 1000;

/**
 * Computes the next refresh of a secret. Pure: same input, same output.
 *
 * - Rotating RAM AccessKey: at `NextRotationDate + delayInterval + jitter` when the rotation (plus delay) is
 *   still ahead and that time is no later than `rotationInterval + jitter` from now; otherwise at
 *   `now + rotationInterval + jitter`. A date in the past, missing, malformed or far in the future therefore
 *   falls back to the regular interval.
 * - Other secrets: `now + (ttlMs ?? defaultTtlMs) + jitter`.
 *
 * The delay is clamped to [{@link MIN_REFRESH_DELAY_MS}, {@link MAX_REFRESH_DELAY_MS}] and is an integer.
 */
export function computeRefreshSchedule(input: RefreshScheduleInput, policy: RefreshSchedulePolicy): RefreshSchedule {
  const jitterMs = nonNegative(input.jitterMs);
  let delayMs: number;
  let basis: RefreshBasis;
  if (input.rotatingAccessKey) {
    delayMs = nonNegative(policy.rotationIntervalMs) + jitterMs;
    basis = 'rotation-interval';
    const rotationMs = input.nextRotationDateMs;
    if (rotationMs !== undefined && Number.isFinite(rotationMs)) {
      // Only while the rotation (plus its delay) is ahead: once past, refreshing "at" it again would loop.
      const untilRotationMs = rotationMs + nonNegative(policy.delayIntervalMs) - input.nowMs;
      if (untilRotationMs > 0 && untilRotationMs + jitterMs <= delayMs) {
        delayMs = untilRotationMs + jitterMs;
        basis = 'next-rotation';
      }
    }
  } else {
    const ttlMs = input.ttlMs !== undefined && Number.isFinite(input.ttlMs) && input.ttlMs > 0 ? input.ttlMs : policy.defaultTtlMs;
    delayMs = nonNegative(ttlMs) + jitterMs;
    basis = 'ttl';
  }
  delayMs = Math.min(MAX_REFRESH_DELAY_MS, Math.max(MIN_REFRESH_DELAY_MS, Math.floor(delayMs)));
  return { dueAtMs: input.nowMs + delayMs, delayMs, basis };
}

function nonNegative(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : ms === Infinity ? MAX_REFRESH_DELAY_MS : 0;
}
