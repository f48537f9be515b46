import type { RandomSource } from './clock.js';
import { jitteredDelayMs } from './jitter.js';

/** Parameters of an exponential backoff with full jitter. */
export interface BackoffPolicy {
  /** Delay scale of the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any single delay, in ms. */
  capMs: number;
}

/**
 * Delay before retry number `attempt` (0-based) with "full jitter": uniform in
 * `[0, min(capMs, baseMs * 2^attempt))`, drawn once from `random` through {@link jitteredDelayMs}. Spreads
 * retries of many clients instead of synchronising them.
 */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, random: RandomSource): number {
  const exponent = Math.min(Math.max(0, attempt), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return jitteredDelayMs(0, Math.max(0, ceiling), random());
}
