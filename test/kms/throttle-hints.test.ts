import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hintedWaitMs, parseThrottleHints } from '../../src/kms/throttle-hints.js';
import { throttleHintHeaders } from '../../src/testing/throttle-hint-headers.js';

describe('parseThrottleHints', () => {
  it.each([
    { name: 'no headers', headers: undefined, hints: undefined },
    { name: 'no hint headers', headers: { 'content-type': 'application/json' }, hints: undefined },
    { name: 'x-acs-retry-after (ms)', headers: { 'x-acs-retry-after': '1500' }, hints: { retryAfterMs: 1500 } },
    {
      name: 'the SDKs\' rate-limit format',
      headers: { 'x-ratelimit-user': 'Limit:1,Remain:0,TimeLeft:2000,Reset:1234' },
      hints: { limit: 1, remain: 0, timeLeftMs: 2000, scope: 'user' },
    },
    {
      name: 'both rate-limit headers: the longer TimeLeft wins, as in the SDKs',
      headers: { 'x-ratelimit-user-api': 'Limit:10,Remain:0,TimeLeft:500', 'X-RateLimit-User': 'Limit:450,Remain:0,TimeLeft:900' },
      hints: { limit: 450, remain: 0, timeLeftMs: 900, scope: 'user' },
    },
    { name: 'header names in any case, a value as an array', headers: { 'X-Acs-Retry-After': ['250'] }, hints: { retryAfterMs: 250 } },
    { name: 'a retry-after of an hour and more is clamped to an hour', headers: { 'x-acs-retry-after': '99999999999' }, hints: { retryAfterMs: 3_600_000 } },
    {
      name: 'malformed values are ignored, readable ones kept',
      headers: { 'x-acs-retry-after': '-5', 'x-ratelimit-user': 'Limit:abc,Remain:3,TimeLeft:1.5,junk' },
      hints: { remain: 3, scope: 'user' },
    },
    { name: 'nothing readable at all', headers: { 'x-acs-retry-after': 'soon', 'x-ratelimit-user': 'garbage' }, hints: undefined },
  ])('$name', ({ headers, hints }) => {
    expect(parseThrottleHints(headers)).toEqual(hints);
  });

  it('reads back what the emulators send (throttleHintHeaders) and never throws on arbitrary header values', () => {
    expect(parseThrottleHints(throttleHintHeaders({ retryAfterMs: 700, limit: 450, remain: 0, timeLeftMs: 40, scope: 'user-api' }))).toEqual({
      retryAfterMs: 700,
      limit: 450,
      remain: 0,
      timeLeftMs: 40,
      scope: 'user-api',
    });
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('x-acs-retry-after', 'x-ratelimit-user', 'x-ratelimit-user-api', 'other'), fc.string()), (headers) => {
        const hints = parseThrottleHints(headers);
        for (const value of [hints?.retryAfterMs, hints?.timeLeftMs]) if (value !== undefined) expect(value).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('hintedWaitMs', () => {
  it('is the longer of retry-after and TimeLeft, or undefined without either', () => {
    expect(hintedWaitMs(undefined)).toBeUndefined();
    expect(hintedWaitMs({ limit: 5, remain: 0 })).toBeUndefined();
    expect(hintedWaitMs({ retryAfterMs: 100 })).toBe(100);
    expect(hintedWaitMs({ retryAfterMs: 100, timeLeftMs: 900 })).toBe(900);
  });
});
