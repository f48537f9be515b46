import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOVERY_PACING, nextRecoveryAttempt, planForcedRefresh } from '../../src/cache/recovery-policy.js';
import { DEFAULT_THROTTLE_PACING } from '../../src/kms/throttle-pacing.js';

const pacing = DEFAULT_RECOVERY_PACING;

describe('nextRecoveryAttempt', () => {
  it.each([
    // confirmations, lastAnswerAt, now, random -> dueAt, rule
    { confirmations: 0, lastAnswerAtMs: undefined, nowMs: 5000, random: 0.5, dueAtMs: 5000, rule: 'now' },
    { confirmations: 3, lastAnswerAtMs: undefined, nowMs: 5000, random: 0.5, dueAtMs: 5000, rule: 'now' },
    { confirmations: 0, lastAnswerAtMs: 4500, nowMs: 5000, random: 0.5, dueAtMs: 5000, rule: 'now' },
    { confirmations: 0, lastAnswerAtMs: 3000, nowMs: 5000, random: 0.5, dueAtMs: 5000, rule: 'now' },
    { confirmations: 1, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 6500, rule: 'backoff' },
    { confirmations: 2, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 7000, rule: 'backoff' },
    { confirmations: 3, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 8000, rule: 'backoff' },
    { confirmations: 6, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 20_500, rule: 'backoff' },
    { confirmations: 40, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.999_999, dueAtMs: 34_999, rule: 'backoff' },
    { confirmations: 2, lastAnswerAtMs: 5000, nowMs: 60_000, random: 0.5, dueAtMs: 60_000, rule: 'now' },
  ] as const)('$confirmations confirmations, last answer $lastAnswerAtMs, now $nowMs -> $dueAtMs ($rule)', (row) => {
    const { dueAtMs, rule, ...input } = row;
    expect(nextRecoveryAttempt(input, pacing)).toEqual({ dueAtMs, rule });
  });

  it('once KMS confirmed the key: never sooner than the minimum interval after the last answer, nor later than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 6 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (confirmations, lastAnswerAtMs, sinceMs, random) => {
          const nowMs = lastAnswerAtMs + sinceMs;
          const { dueAtMs } = nextRecoveryAttempt({ confirmations, lastAnswerAtMs, nowMs, random }, pacing);
          expect(dueAtMs).toBeGreaterThanOrEqual(nowMs);
          expect(dueAtMs).toBeGreaterThanOrEqual(lastAnswerAtMs + pacing.minIntervalMs);
          expect(dueAtMs).toBeLessThanOrEqual(Math.max(nowMs, lastAnswerAtMs + pacing.backoff.capMs));
        },
      ),
    );
  });
});

describe('nextRecoveryAttempt after throttled answers', () => {
  it.each([
    // throttles, streak, confirmations, lastAnswerAt, now, random -> dueAt, rule
    // (the spread after a streak s: [max(0.5 s, s / 2), max(2 s, 2 s)), never sooner than the 1 s minimum interval)
    { throttles: 1, throttleStreakMs: 0, confirmations: 0, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 6250, rule: 'throttled' },
    { throttles: 1, throttleStreakMs: 0, confirmations: 1, lastAnswerAtMs: 5000, nowMs: 5000, random: 0, dueAtMs: 6000, rule: 'throttled' },
    { throttles: 2, throttleStreakMs: 1250, confirmations: 1, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 6562, rule: 'throttled' },
    { throttles: 3, throttleStreakMs: 10_000, confirmations: 1, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 17_500, rule: 'throttled' },
    { throttles: 50, throttleStreakMs: 1_000_000, confirmations: 9, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.999_999, dueAtMs: 64_999, rule: 'throttled' },
    { throttles: 1, throttleStreakMs: 0, confirmations: 1, lastAnswerAtMs: 5000, nowMs: 30_000, random: 0.5, dueAtMs: 30_000, rule: 'now' },
    { throttles: 0, confirmations: 1, lastAnswerAtMs: 5000, nowMs: 5000, random: 0.5, dueAtMs: 6500, rule: 'backoff' },
  ] as const)('$throttles throttled, $confirmations confirmations, now $nowMs -> $dueAtMs ($rule)', (row) => {
    const { dueAtMs, rule, ...input } = row;
    expect(nextRecoveryAttempt(input, pacing)).toEqual({ dueAtMs, rule });
  });

  it('never sooner than the minimum delay after the throttled answer, never later than the cap, and wider as the throttling lasts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (throttleStreakMs, lastAnswerAtMs, random) => {
          const input = { confirmations: 1, lastAnswerAtMs, nowMs: lastAnswerAtMs, random, throttles: 2 };
          const { dueAtMs } = nextRecoveryAttempt({ ...input, throttleStreakMs }, pacing);
          const next = nextRecoveryAttempt({ ...input, throttleStreakMs: throttleStreakMs + 1000 }, pacing).dueAtMs;
          expect(dueAtMs).toBeGreaterThanOrEqual(lastAnswerAtMs + Math.max(pacing.minIntervalMs, DEFAULT_THROTTLE_PACING.minDelayMs));
          expect(dueAtMs).toBeLessThanOrEqual(lastAnswerAtMs + DEFAULT_THROTTLE_PACING.capMs);
          expect(next).toBeGreaterThanOrEqual(dueAtMs);
        },
      ),
    );
  });
});

describe('planForcedRefresh', () => {
  const base = { nowMs: 10_000, heldKeyUsable: false, fetchRunning: false, attemptDueAtMs: 10_000, holdMaxMs: 1000 };
  it.each([
    { name: 'a usable held key answers from the cache', input: { heldKeyUsable: true, fetchRunning: true }, step: { kind: 'cached' } },
    { name: 'a running fetch is joined', input: { fetchRunning: true }, step: { kind: 'join' } },
    { name: 'a due attempt fetches', input: {}, step: { kind: 'fetch' } },
    { name: 'an attempt due within the hold limit is waited for', input: { attemptDueAtMs: 11_000 }, step: { kind: 'hold', dueAtMs: 11_000 } },
    { name: 'a later attempt answers at once', input: { attemptDueAtMs: 11_001 }, step: { kind: 'paced', dueAtMs: 11_001 } },
    {
      name: 'after a throttled answer a later attempt is waited for (the caller decides against its deadline)',
      input: { attemptDueAtMs: 25_000, throttled: true },
      step: { kind: 'hold', dueAtMs: 25_000 },
    },
    { name: 'after a throttled answer a running fetch is still joined', input: { fetchRunning: true, throttled: true }, step: { kind: 'join' } },
    { name: 'after a throttled answer a due attempt fetches', input: { throttled: true }, step: { kind: 'fetch' } },
  ])('$name', ({ input, step }) => {
    expect(planForcedRefresh({ ...base, ...input })).toEqual(step);
  });
});
