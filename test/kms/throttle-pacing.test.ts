import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { openApiErrorToKmsError } from '../../src/kms/openapi/open-api-error-to-kms-error.js';
import { DEFAULT_THROTTLE_PACING, isThrottlingError, throttledRetryDelayMs, ThrottlePacer } from '../../src/kms/throttle-pacing.js';

describe('isThrottlingError', () => {
  it.each([
    { name: 'an OpenAPI 429 Rejected.Throttling', error: openApiErrorToKmsError({ code: 'Rejected.Throttling', statusCode: 429, data: { RequestId: 'r' } }, { source: 's', secretName: 'n' }), throttling: true },
    { name: 'a DKMS Rejected.Throttling without status', error: new KmsError('m', { code: 'Rejected.Throttling', retryable: true }), throttling: true },
    { name: 'a bare HTTP 429', error: new KmsError('m', { code: 'Http429', httpStatus: 429, retryable: true }), throttling: true },
    { name: 'Throttling.User', error: new KmsError('m', { code: 'Throttling.User', httpStatus: 400, retryable: true }), throttling: true },
    { name: 'a 503 outage', error: new KmsError('m', { code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true }), throttling: false },
    { name: 'a network error', error: new KmsError('m', { code: 'NetworkError', retryable: true }), throttling: false },
    { name: 'a missing secret', error: new KmsError('m', { code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false }), throttling: false },
    { name: 'not an error object', error: 'Rejected.Throttling', throttling: false },
    { name: 'null', error: null, throttling: false },
  ])('$name -> $throttling', ({ error, throttling }) => {
    expect(isThrottlingError(error)).toBe(throttling);
  });
});

describe('throttledRetryDelayMs', () => {
  it.each([
    // streak, random -> delay: uniform in [max(0.5 s, streak / 2), min(60 s, max(2 s, 2 x streak)))
    { streakMs: 0, random: 0, delayMs: 500 },
    { streakMs: 0, random: 0.5, delayMs: 1250 },
    { streakMs: 3000, random: 0, delayMs: 1500 },
    { streakMs: 3000, random: 0.5, delayMs: 3750 },
    { streakMs: 20_000, random: 0.999_999, delayMs: 39_999 },
    { streakMs: 100_000, random: 0.5, delayMs: 45_000 },
    { streakMs: -5, random: 0.5, delayMs: 1250 },
    { streakMs: Number.NaN, random: Number.NaN, delayMs: 500 },
    { streakMs: 0, random: 7, delayMs: 2000 },
  ])('a streak of $streakMs ms, random $random -> $delayMs ms', ({ streakMs, random, delayMs }) => {
    expect(throttledRetryDelayMs(streakMs, random)).toBe(delayMs);
  });

  it('stays within [minDelayMs, capMs] and never narrows as the streak lasts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (streakMs, random) => {
        const delayMs = throttledRetryDelayMs(streakMs, random);
        expect(delayMs).toBeGreaterThanOrEqual(DEFAULT_THROTTLE_PACING.minDelayMs);
        expect(delayMs).toBeLessThan(DEFAULT_THROTTLE_PACING.capMs);
        expect(throttledRetryDelayMs(streakMs + 1000, random)).toBeGreaterThanOrEqual(delayMs);
      }),
    );
  });

  it('honours retry-after and TimeLeft as a floor (the longer one, clamped to capMs), spread by a first-window draw', () => {
    expect(throttledRetryDelayMs(0, 0, DEFAULT_THROTTLE_PACING, { retryAfterMs: 5000 })).toBe(5000);
    expect(throttledRetryDelayMs(0, 0.5, DEFAULT_THROTTLE_PACING, { retryAfterMs: 5000, timeLeftMs: 7000 })).toBe(8000);
    expect(throttledRetryDelayMs(0, 0.5, DEFAULT_THROTTLE_PACING, { timeLeftMs: 3_600_000 })).toBe(DEFAULT_THROTTLE_PACING.capMs);
    // A hint shorter than the own spread changes nothing.
    expect(throttledRetryDelayMs(20_000, 0.5, DEFAULT_THROTTLE_PACING, { timeLeftMs: 300 })).toBe(throttledRetryDelayMs(20_000, 0.5));
    // Hints without a wait (Limit/Remain only) change nothing either.
    expect(throttledRetryDelayMs(0, 0.5, DEFAULT_THROTTLE_PACING, { limit: 450, remain: 0 })).toBe(1250);
  });
});

describe('ThrottlePacer (virtual time)', () => {
  it('widens with the streak across calls, ends it on a success, and restarts after a quiet spell', () => {
    const pacer = new ThrottlePacer();
    let nowMs = 1_000;
    // A fleet-sized streak: each retry is throttled again; the spread follows the streak's length.
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const waitMs = pacer.onThrottled(nowMs, 0.999);
      waits.push(waitMs);
      nowMs += waitMs;
    }
    expect(pacer.throttledSinceMs).toBe(1_000);
    expect(waits[0]).toBe(1_998);
    expect(waits.at(-1)).toBeGreaterThan(30_000);
    for (let i = 1; i < waits.length; i++) {
      const streakMs = waits.slice(0, i).reduce((a, b) => a + b, 0);
      // The streak is measured from the first throttle, whatever call the retries belonged to.
      expect(waits[i]).toBe(throttledRetryDelayMs(streakMs, 0.999));
    }
    // A success ends the streak: the next throttle starts from the first window again.
    pacer.onSuccess();
    expect(pacer.throttledSinceMs).toBeUndefined();
    expect(pacer.onThrottled(nowMs, 0.999)).toBe(1_998);
    // Nobody asked for longer than capMs after the planned retry: an old streak says nothing about now.
    nowMs += 1_998 + DEFAULT_THROTTLE_PACING.capMs + 1;
    expect(pacer.onThrottled(nowMs, 0)).toBe(500);
    expect(pacer.throttledSinceMs).toBe(nowMs);
  });

  it('a lone process throttled once tries again within 2 s', () => {
    const pacer = new ThrottlePacer();
    for (const random of [0, 0.25, 0.5, 0.75, 0.999_999]) {
      pacer.onSuccess();
      const waitMs = pacer.onThrottled(10_000, random);
      expect(waitMs).toBeGreaterThanOrEqual(500);
      expect(waitMs).toBeLessThan(2000);
    }
  });
});
