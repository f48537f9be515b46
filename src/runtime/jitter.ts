/**
 * The one jitter draw of this library: turns a random number into a delay spread uniformly over
 * `[lowMs, highMs)`, in whole ms. Every randomised wait (full-jitter backoff, the wider spread after a
 * throttled answer) is this function applied to its own window, so how a draw maps to a delay, and what a
 * bad draw does, is decided in one place. Pure.
 *
 * - `random` is a number in `[0, 1)` (one `Math.random()`-like draw per decision); values outside are
 *   clamped to `[0, 1]` and a non-finite one (NaN, +-Infinity) counts as 0, so a faulty random source can
 *   never produce a negative, NaN or unbounded delay.
 * - A window whose `highMs` is not above `lowMs` is empty: the delay is `lowMs` (never below it).
 * - The result is floored, `floor(lowMs + random * (highMs - lowMs))`, and stays below `highMs` for a draw
 *   below 1 (floating-point rounding cannot reach the window's end).
 *
 * @param lowMs - shortest delay, ms (the window's start, inclusive)
 * @param highMs - end of the window, ms (exclusive for draws below 1)
 * @param random - the draw for this decision
 */
export function jitteredDelayMs(lowMs: number, highMs: number, random: number): number {
  const r = Number.isFinite(random) ? Math.min(Math.max(random, 0), 1) : 0;
  const spanMs = Math.max(0, highMs - lowMs);
  const delayMs = Math.floor(lowMs + r * spanMs);
  // A draw just below 1 can round up to the window's end in floating point: the window stays half-open.
  return r < 1 && spanMs > 0 && delayMs >= highMs ? Math.max(Math.floor(lowMs), Math.ceil(highMs) - 1) : delayMs;
}
