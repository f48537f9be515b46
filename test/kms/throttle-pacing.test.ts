import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { openApiErrorToKmsError } from '../../src/kms/openapi/open-api-error-to-kms-error.js';
import { DEFAULT_THROTTLE_PACING, isThrottlingError, throttledRetryDelayMs } from '../../src/kms/throttle-pacing.js';

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
    // throttles, random -> delay (1 s + random * (min(18 s, 12 s * 1.5^(throttles - 1)) - 1 s))
    { throttles: 1, random: 0, delayMs: 1000 },
    { throttles: 1, random: 0.5, delayMs: 6500 },
    { throttles: 2, random: 0.5, delayMs: 9500 },
    { throttles: 2, random: 0.999_999, delayMs: 17_999 },
    { throttles: 10, random: 0.5, delayMs: 9500 },
    { throttles: 0, random: 0.5, delayMs: 6500 },
    { throttles: 1, random: Number.NaN, delayMs: 1000 },
    { throttles: 1, random: 7, delayMs: 12_000 },
  ])('$throttles throttled answers, random $random -> $delayMs ms', ({ throttles, random, delayMs }) => {
    expect(throttledRetryDelayMs(throttles, random)).toBe(delayMs);
  });

  it('stays within [minDelayMs, capMs] and never narrows as throttled answers add up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (throttles, random) => {
        const delayMs = throttledRetryDelayMs(throttles, random);
        expect(delayMs).toBeGreaterThanOrEqual(DEFAULT_THROTTLE_PACING.minDelayMs);
        expect(delayMs).toBeLessThan(DEFAULT_THROTTLE_PACING.capMs);
        expect(throttledRetryDelayMs(throttles + 1, random)).toBeGreaterThanOrEqual(delayMs);
      }),
    );
  });
});
