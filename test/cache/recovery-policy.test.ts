import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOVERY_PACING, nextRecoveryAttempt, planForcedRefresh } from '../../src/cache/recovery-policy.js';

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

describe('planForcedRefresh', () => {
  const base = { nowMs: 10_000, heldKeyUsable: false, fetchRunning: false, attemptDueAtMs: 10_000, holdMaxMs: 1000 };
  it.each([
    { name: 'a usable held key answers from the cache', input: { heldKeyUsable: true, fetchRunning: true }, step: { kind: 'cached' } },
    { name: 'a running fetch is joined', input: { fetchRunning: true }, step: { kind: 'join' } },
    { name: 'a due attempt fetches', input: {}, step: { kind: 'fetch' } },
    { name: 'an attempt due within the hold limit is waited for', input: { attemptDueAtMs: 11_000 }, step: { kind: 'hold', dueAtMs: 11_000 } },
    { name: 'a later attempt answers at once', input: { attemptDueAtMs: 11_001 }, step: { kind: 'paced', dueAtMs: 11_001 } },
  ])('$name', ({ input, step }) => {
    expect(planForcedRefresh({ ...base, ...input })).toEqual(step);
  });
});
