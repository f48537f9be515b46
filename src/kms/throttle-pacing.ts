import { jitteredDelayMs } from '../runtime/jitter.js';
import { hintedWaitMs, type ThrottleHints } from './throttle-hints.js';

/**
 * How long to wait before asking KMS again after it throttled (HTTP 429 `Rejected.Throttling`): a short random
 * spread at first, then a spread proportional to how long this process has been throttled without a success
 * (its throttle *streak*). A process cannot know how many others share the quota, but the longer the quota has
 * stayed busy, the longer it is likely to stay busy: a lone process throttled by a short burst tries again
 * within 2 s, while 20,000 processes on a 200/s quota (100 s of work) end up spreading their
 * retries over tens of seconds after a few throttled answers. Hints of the answer (`x-acs-retry-after`,
 * `TimeLeft`) set a floor.
 */
export interface ThrottlePacing {
  /** No retry sooner than this after a throttled answer, ms. Default 500. */
  minDelayMs: number;
  /** Upper end of the spread while the streak is young, ms. Default 2 000. */
  firstWindowMs: number;
  /**
   * The spread's upper end as a multiple of the streak's length. Default 2: the retry falls between half and
   * twice the streak's length ahead (never sooner than half the streak), so a fleet's attempt rate falls as the
   * contention lasts, and a process throttled last at time t (since the streak began) is retried by 3t.
   */
  growth: number;
  /** Widest spread, ms. Default 60 000; a waiting caller still has its own deadline (`fetch_timeout`). */
  capMs: number;
}

/**
 * The defaults of {@link ThrottlePacing}, checked with the fleet sweep (`npm run bench:fleet`, docs/fleet.md):
 * 500 to 20,000 processes on quotas of 200 to 1,000 QPS.
 */
export const DEFAULT_THROTTLE_PACING: Readonly<ThrottlePacing> = Object.freeze({
  minDelayMs: 500,
  firstWindowMs: 2000,
  growth: 2,
  capMs: 60_000,
});

/** Service codes of a throttled KMS answer (KMS instance API and OpenAPI). */
const THROTTLING_CODES: ReadonlySet<string> = new Set(['Rejected.Throttling', 'Throttling', 'Throttling.User', 'Throttling.Api']);

/**
 * Whether `error` is KMS saying "too many requests" (HTTP 429 or a throttling code), as opposed to an outage
 * or a network error: contention evidence, answered by spreading the next attempt wider.
 */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, httpStatus } = error as { code?: unknown; httpStatus?: unknown };
  return httpStatus === 429 || (typeof code === 'string' && THROTTLING_CODES.has(code));
}

/** The throttle hints a failed KMS call carried (`KmsError.throttleHints`), if any. */
export function throttleHintsOf(error: unknown): ThrottleHints | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const hints = (error as { throttleHints?: unknown }).throttleHints;
  return typeof hints === 'object' && hints !== null ? (hints as ThrottleHints) : undefined;
}

/**
 * The throttle hints behind a failure: the error's own (`KmsError.throttleHints`), else its `cause`'s (a
 * `Kms.FetchTimeout` whose reason was a throttled answer), or undefined.
 */
export function throttleHintsBehind(error: unknown): ThrottleHints | undefined {
  return throttleHintsOf(error) ?? (typeof error === 'object' && error !== null ? throttleHintsOf((error as { cause?: unknown }).cause) : undefined);
}

/**
 * The wait before the next KMS attempt after a throttled answer, when this process has been throttled for
 * `streakMs` without a success (0 for the first throttled answer): uniform in `[max(minDelayMs, min(streakMs, window) / 2),
 * window)` with `window = min(capMs, max(firstWindowMs, growth * streakMs))`, drawn through the one jitter function
 * ({@link jitteredDelayMs}). When the answer carried a hint (the longer of `x-acs-retry-after` and
 * `TimeLeft`, clamped to `capMs`), the wait is at least the hint plus a draw over `[0, firstWindowMs)`, so a
 * fleet told the same time does not come back in the same millisecond. Pure.
 *
 * @param streakMs - ms since the first throttled answer of the current streak (negative or NaN counts as 0)
 * @param random - a number in [0, 1) drawn for this decision
 * @param hints - what the throttled answer's headers said, if anything
 */
export function throttledRetryDelayMs(
  streakMs: number,
  random: number,
  pacing: Readonly<ThrottlePacing> = DEFAULT_THROTTLE_PACING,
  hints?: ThrottleHints,
): number {
  const elapsedMs = Number.isFinite(streakMs) && streakMs > 0 ? streakMs : 0;
  const windowMs = Math.max(pacing.minDelayMs, Math.min(pacing.capMs, Math.max(pacing.firstWindowMs, pacing.growth * elapsedMs)));
  // Never sooner than half the streak (or half the window, once capped): a fleet throttled for long does not
  // re-send its early birds at once.
  const lowMs = Math.max(pacing.minDelayMs, Math.min(Math.floor(elapsedMs / 2), Math.floor(windowMs / 2)));
  const ownMs = jitteredDelayMs(lowMs, windowMs, random);
  const hintMs = hintedWaitMs(hints);
  if (hintMs === undefined) return ownMs;
  const flooredMs = Math.min(pacing.capMs, hintMs) + jitteredDelayMs(0, pacing.firstWindowMs, random);
  return Math.max(ownMs, Math.min(pacing.capMs, flooredMs));
}

/**
 * The throttle streak of one process towards one KMS endpoint, remembered across calls (a fetch that gave up
 * while throttled does not restart the next one from the narrowest spread): when it began, and when the last
 * throttled answer came. A success ends it (the spread shrinks back to `firstWindowMs`); so does a quiet spell of
 * more than `capMs` after the retry it planned (nobody asked: the old contention says nothing about now). The one place that
 * turns throttled answers into waits for the failover group.
 */
export class ThrottlePacer {
  #since: number | undefined;
  #lastWindowEndMs = -Infinity;

  /** @param pacing - the spread; default {@link DEFAULT_THROTTLE_PACING} */
  constructor(private readonly pacing: Readonly<ThrottlePacing> = DEFAULT_THROTTLE_PACING) {}

  /** Monotonic ms when the current throttle streak began; `undefined` when there is none. */
  get throttledSinceMs(): number | undefined {
    return this.#since;
  }

  /**
   * A throttled answer at `nowMs` (monotonic): returns the wait before the next try, ms (see
   * {@link throttledRetryDelayMs}).
   */
  onThrottled(nowMs: number, random: number, hints?: ThrottleHints): number {
    if (this.#since === undefined || nowMs > this.#lastWindowEndMs + this.pacing.capMs) this.#since = nowMs;
    const delayMs = throttledRetryDelayMs(nowMs - this.#since, random, this.pacing, hints);
    this.#lastWindowEndMs = nowMs + delayMs;
    return delayMs;
  }

  /** A successful answer: the streak ends. */
  onSuccess(): void {
    this.#since = undefined;
  }
}
