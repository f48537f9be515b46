import { jitteredDelayMs } from '../runtime/jitter.js';

/**
 * How long to wait before asking KMS again after it throttled (HTTP 429 `Rejected.Throttling`): a wide
 * random spread that widens with each consecutive throttled answer.
 */
export interface ThrottlePacing {
  /** No retry sooner than this after a throttled answer, ms (the quota is counted per second). Default 1000. */
  minDelayMs: number;
  /**
   * Upper end of the spread after the first throttled answer, ms. Default 12 000: a throttled answer means
   * a shared quota is exhausted, usually by many processes at once (the shared gateway allows about 450
   * GetSecretValue/s per account and region), so the retries of a fleet of a few thousand processes are
   * spread over seconds, not the 1 s of a plain exponential backoff.
   */
  firstWindowMs: number;
  /** Factor by which the spread widens with each further consecutive throttled answer. Default 1.5. */
  growth: number;
  /** Widest spread, ms. Default 18 000: below `fetch_timeout` (30 s), so a waiting caller sees another attempt. */
  capMs: number;
}

/**
 * The defaults of {@link ThrottlePacing}, chosen with the fleet simulation (`bench/fleet-revoke.ts`): 10,000
 * processes revoked at once against a 450 QPS quota all hold the new key within 1.5x the physical limit
 * with fewer than 2 throttled attempts per successful one.
 */
export const DEFAULT_THROTTLE_PACING: Readonly<ThrottlePacing> = Object.freeze({
  minDelayMs: 1000,
  firstWindowMs: 12_000,
  growth: 1.5,
  capMs: 18_000,
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

/**
 * The wait before the next KMS attempt after `throttles` consecutive throttled answers (1 for the first):
 * uniform in `[minDelayMs, window)` with `window = min(capMs, firstWindowMs * growth^(throttles - 1))`, drawn
 * through the one jitter function ({@link jitteredDelayMs}). Pure.
 *
 * Plain full-jitter backoff (1 s, 2 s, 4 s...) re-sends most of a throttled fleet within the next seconds,
 * so most of them are throttled again (about 4 throttled attempts per success for 10,000 processes at 450
 * QPS); a first spread of seconds lets most retries through at the first try, and the cap keeps the last
 * processes from waiting far past the point where the quota has room again.
 *
 * @param throttles - consecutive throttled answers so far (values below 1 count as 1)
 * @param random - a number in [0, 1) drawn for this decision
 */
export function throttledRetryDelayMs(throttles: number, random: number, pacing: Readonly<ThrottlePacing> = DEFAULT_THROTTLE_PACING): number {
  const exponent = Math.min(Math.max(0, Math.floor(throttles) - 1), 64);
  const windowMs = Math.max(pacing.minDelayMs, Math.min(pacing.capMs, pacing.firstWindowMs * pacing.growth ** exponent));
  return jitteredDelayMs(pacing.minDelayMs, windowMs, random);
}
