import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs } from '../../src/runtime/backoff.js';
import { jitteredDelayMs } from '../../src/runtime/jitter.js';
import { DEFAULT_THROTTLE_PACING, throttledRetryDelayMs } from '../../src/kms/throttle-pacing.js';

describe('jitteredDelayMs: the one jitter draw', () => {
  it.each([
    // lowMs, highMs, random -> floor(lowMs + clamp(random) * max(0, highMs - lowMs))
    { lowMs: 0, highMs: 1000, random: 0, delayMs: 0 },
    { lowMs: 0, highMs: 1000, random: 0.5, delayMs: 500 },
    { lowMs: 0, highMs: 1000, random: 0.999_999, delayMs: 999 },
    { lowMs: 1000, highMs: 12_000, random: 0.5, delayMs: 6500 },
    { lowMs: 1000, highMs: 12_000, random: 0.000_01, delayMs: 1000 },
    { lowMs: 0, highMs: 3, random: 0.7, delayMs: 2 },
    // An empty or inverted window: the low end, never less.
    { lowMs: 500, highMs: 500, random: 0.9, delayMs: 500 },
    { lowMs: 500, highMs: 100, random: 0.9, delayMs: 500 },
    // A faulty draw: clamped to [0, 1]; not finite counts as 0.
    { lowMs: 100, highMs: 200, random: 7, delayMs: 200 },
    { lowMs: 100, highMs: 200, random: -3, delayMs: 100 },
    { lowMs: 100, highMs: 200, random: Number.NaN, delayMs: 100 },
    { lowMs: 100, highMs: 200, random: Number.POSITIVE_INFINITY, delayMs: 100 },
  ])('[$lowMs, $highMs) with random $random -> $delayMs ms', ({ lowMs, highMs, random, delayMs }) => {
    expect(jitteredDelayMs(lowMs, highMs, random)).toBe(delayMs);
  });

  it('always lands in [lowMs, highMs) for a draw in [0, 1), in whole ms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (lowMs, spanMs, random) => {
          const delayMs = jitteredDelayMs(lowMs, lowMs + spanMs, random);
          expect(Number.isInteger(delayMs)).toBe(true);
          expect(delayMs).toBeGreaterThanOrEqual(lowMs);
          expect(delayMs).toBeLessThan(lowMs + spanMs);
        },
      ),
    );
  });
});

describe('the delays drawn through it', () => {
  it.each([
    // attempt, random -> uniform in [0, min(cap 8 000, base 1 000 * 2^attempt))
    { attempt: 0, random: 0.5, delayMs: 500 },
    { attempt: 1, random: 0.5, delayMs: 1000 },
    { attempt: 3, random: 0.5, delayMs: 4000 },
    { attempt: 10, random: 0.5, delayMs: 4000 },
    { attempt: -1, random: 0.5, delayMs: 500 },
    { attempt: 0, random: Number.NaN, delayMs: 0 },
  ])('fullJitterDelayMs: attempt $attempt, random $random -> $delayMs ms', ({ attempt, random, delayMs }) => {
    expect(fullJitterDelayMs(attempt, { baseMs: 1000, capMs: 8000 }, () => random)).toBe(delayMs);
  });

  it('fullJitterDelayMs draws exactly once per decision and never goes negative for a negative policy', () => {
    let draws = 0;
    expect(fullJitterDelayMs(2, { baseMs: 1000, capMs: 8000 }, () => (draws++, 0.25))).toBe(1000);
    expect(draws).toBe(1);
    expect(fullJitterDelayMs(0, { baseMs: -5, capMs: 10 }, () => 0.9)).toBe(0);
  });

  it('throttledRetryDelayMs and fullJitterDelayMs are the jitter draw over their own windows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (n, random) => {
        const streakMs = n * 3_000;
        const { minDelayMs, firstWindowMs, growth, capMs } = DEFAULT_THROTTLE_PACING;
        const windowMs = Math.min(capMs, Math.max(firstWindowMs, growth * streakMs));
        const lowMs = Math.max(minDelayMs, Math.min(Math.floor(streakMs / 2), Math.floor(windowMs / 2)));
        expect(throttledRetryDelayMs(streakMs, random)).toBe(jitteredDelayMs(lowMs, windowMs, random));
        expect(fullJitterDelayMs(n, { baseMs: 200, capMs: 5000 }, () => random)).toBe(jitteredDelayMs(0, Math.min(5000, 200 * 2 ** n), random));
      }),
    );
  });
});
