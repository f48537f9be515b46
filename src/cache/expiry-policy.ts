import { jitteredDelayMs } from '../runtime/jitter.js';

/** Longest stretch before `ExpireTimestamp` in which a credential is refreshed ahead of expiry (5 min). */
export const MAX_EXPIRY_WINDOW_MS = 5 * 60 * 1000;

/** What {@link refreshBeforeExpiry} decides from. Wall-clock epoch ms: expiry is a date from KMS. */
export interface ExpiryRefreshInput {
  nowMs: number;
  /** `ExpireTimestamp` of the held credential. */
  expiresAtMs: number;
  /** When the credential was fetched; with `expiresAtMs` it gives the lifetime. */
  fetchedAtMs: number;
  /** A number in [0, 1) drawn for this refresh. */
  random: number;
  /** No refresh sooner than this from now. */
  minIntervalMs: number;
}

/** When to refresh a credential that expires. */
export interface ExpiryRefresh {
  /** Delay from `nowMs`, at least `minIntervalMs`. */
  delayMs: number;
  /** Start of the window in which the credential counts as expiring (refreshed with priority). */
  windowStartMs: number;
}

/**
 * The refresh ahead of `ExpireTimestamp`. Pure. The window is the last `min(5 min, lifetime / 2)` before
 * expiry; the refresh falls in the first half of that window at a random point (a fleet spreads out), so
 * there is time for retries before the token stops working. Never sooner than `minIntervalMs` from now.
 */
export function refreshBeforeExpiry(input: ExpiryRefreshInput): ExpiryRefresh {
  const windowMs = expiryWindowMs(input.expiresAtMs, input.fetchedAtMs);
  const windowStartMs = input.expiresAtMs - windowMs;
  const dueAtMs = windowStartMs + jitteredDelayMs(0, windowMs / 2, input.random);
  return { delayMs: Math.max(input.minIntervalMs, Math.floor(dueAtMs - input.nowMs)), windowStartMs };
}

/** Length of the expiry window of a credential: `min(5 min, lifetime / 2)`, 0 for a lifetime <= 0. */
export function expiryWindowMs(expiresAtMs: number, fetchedAtMs: number): number {
  const lifetimeMs = expiresAtMs - fetchedAtMs;
  return Number.isFinite(lifetimeMs) && lifetimeMs > 0 ? Math.min(MAX_EXPIRY_WINDOW_MS, Math.floor(lifetimeMs / 2)) : 0;
}

/** Whether a credential with this `ExpireTimestamp` must no longer be served (`nowMs` wall clock). */
export function isExpired(expiresAtMs: number | undefined, nowMs: number): boolean {
  return expiresAtMs !== undefined && nowMs >= expiresAtMs;
}
