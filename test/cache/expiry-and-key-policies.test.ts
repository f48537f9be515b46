import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expiryWindowMs, isExpired, MAX_EXPIRY_WINDOW_MS, refreshBeforeExpiry } from '../../src/cache/expiry-policy.js';
import { keyChanged } from '../../src/cache/key-changed.js';
import { isTooStale } from '../../src/cache/staleness.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';

const MINUTE = 60_000;

describe('refreshBeforeExpiry', () => {
  it('refreshes in the first half of the last 5 minutes of an hour-long token', () => {
    const fetchedAtMs = 0;
    const expiresAtMs = 60 * MINUTE;
    expect(refreshBeforeExpiry({ nowMs: 0, expiresAtMs, fetchedAtMs, random: 0, minIntervalMs: 1000 })).toEqual({
      delayMs: 55 * MINUTE,
      windowStartMs: 55 * MINUTE,
    });
    expect(refreshBeforeExpiry({ nowMs: 0, expiresAtMs, fetchedAtMs, random: 0.999, minIntervalMs: 1000 }).delayMs).toBe(
      55 * MINUTE + Math.floor(0.999 * 2.5 * MINUTE),
    );
  });

  it('uses half the lifetime as the window of a short-lived token', () => {
    expect(expiryWindowMs(4 * MINUTE, 0)).toBe(2 * MINUTE);
    expect(expiryWindowMs(0, 0)).toBe(0);
    expect(expiryWindowMs(-5, 0)).toBe(0);
    expect(expiryWindowMs(10 * 60 * MINUTE, 0)).toBe(MAX_EXPIRY_WINDOW_MS);
  });

  it('is never sooner than the minimum interval, and before expiry whenever that leaves room', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.integer({ min: -(10 ** 7), max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10 ** 7 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (fetchedAtMs, lifetimeMs, sinceFetchMs, random) => {
          const expiresAtMs = fetchedAtMs + lifetimeMs;
          const nowMs = fetchedAtMs + sinceFetchMs;
          const { delayMs, windowStartMs } = refreshBeforeExpiry({ nowMs, expiresAtMs, fetchedAtMs, random, minIntervalMs: 1000 });
          expect(delayMs).toBeGreaterThanOrEqual(1000);
          expect(windowStartMs).toBeLessThanOrEqual(expiresAtMs);
          if (expiresAtMs - nowMs > 1000 + expiryWindowMs(expiresAtMs, fetchedAtMs)) expect(nowMs + delayMs).toBeLessThan(expiresAtMs);
        },
      ),
    );
  });

  it('isExpired compares with ExpireTimestamp and ignores credentials without one', () => {
    expect(isExpired(undefined, 10)).toBe(false);
    expect(isExpired(10, 9)).toBe(false);
    expect(isExpired(10, 10)).toBe(true);
  });
});

describe('keyChanged', () => {
  const key = (id: string, secret = `secret-${id}`) => new AccessKeyCredential({ accessKeyId: id, accessKeySecret: secret });
  const k1 = key('AK1');
  const none = new Set<string>();
  it.each([
    { name: 'another id', rejected: 'AK1', before: k1, after: key('AK2'), rejectedIds: none, changed: true },
    { name: 'another id that is itself rejected', rejected: 'AK1', before: k1, after: key('AK2'), rejectedIds: new Set(['AK1', 'AK2']), changed: false },
    { name: 'the same key', rejected: 'AK1', before: k1, after: k1, rejectedIds: new Set(['AK1']), changed: false },
    { name: 'the same id with a new secret', rejected: 'AK1', before: k1, after: key('AK1', 'fixed'), rejectedIds: new Set(['AK1']), changed: true },
    { name: 'no rejected id: compared with the key held before', rejected: undefined, before: k1, after: key('AK2'), rejectedIds: none, changed: true },
    { name: 'nothing held before, same id as rejected', rejected: 'AK1', before: undefined, after: key('AK1'), rejectedIds: none, changed: false },
    { name: 'signed with an older key than the one held', rejected: 'AK0', before: k1, after: k1, rejectedIds: new Set(['AK0']), changed: true },
  ])('$name -> $changed', ({ rejected, before, after, rejectedIds, changed }) => {
    expect(keyChanged(rejected, before, after, rejectedIds)).toBe(changed);
  });
});

describe('isTooStale', () => {
  it.each([
    { staleSinceMs: undefined, nowMs: 10 ** 9, max: 1, tooStale: false },
    { staleSinceMs: 0, nowMs: 10 ** 9, max: 0, tooStale: false },
    { staleSinceMs: 0, nowMs: 1000, max: 1000, tooStale: false },
    { staleSinceMs: 0, nowMs: 1001, max: 1000, tooStale: true },
  ])('stale since $staleSinceMs, now $nowMs, max $max -> $tooStale', ({ staleSinceMs, nowMs, max, tooStale }) => {
    expect(isTooStale(staleSinceMs, nowMs, max)).toBe(tooStale);
  });
});
