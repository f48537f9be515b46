import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeRefreshSchedule,
  MAX_REFRESH_DELAY_MS,
  MIN_REFRESH_DELAY_MS,
  type RefreshSchedulePolicy,
} from '../../src/cache/refresh-schedule.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 0, 1);
const POLICY: RefreshSchedulePolicy = { rotationIntervalMs: 6 * HOUR, delayIntervalMs: 5 * MINUTE, defaultTtlMs: HOUR };

describe('computeRefreshSchedule: examples', () => {
  it('refreshes a RAM AccessKey at NextRotationDate + delay + jitter when the rotation is within the interval', () => {
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs: NOW + 2 * HOUR, jitterMs: 3 * MINUTE },
      POLICY,
    );
    expect(schedule).toEqual({ dueAtMs: NOW + 2 * HOUR + 8 * MINUTE, delayMs: 2 * HOUR + 8 * MINUTE, basis: 'next-rotation' });
  });

  it('falls back to rotationInterval + jitter when the rotation is further away', () => {
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs: NOW + 7 * DAY, jitterMs: 3 * MINUTE },
      POLICY,
    );
    expect(schedule).toEqual({ dueAtMs: NOW + 6 * HOUR + 3 * MINUTE, delayMs: 6 * HOUR + 3 * MINUTE, basis: 'rotation-interval' });
  });

  it('falls back when NextRotationDate (plus delay) is already past, so a missed date does not loop', () => {
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs: NOW - 10 * MINUTE, jitterMs: 0 },
      POLICY,
    );
    expect(schedule.basis).toBe('rotation-interval');
    expect(schedule.delayMs).toBe(6 * HOUR);
  });

  it('still waits for the delay when the rotation happened moments ago (the new key may not be out yet)', () => {
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs: NOW - MINUTE, jitterMs: MINUTE },
      POLICY,
    );
    expect(schedule).toMatchObject({ basis: 'next-rotation', delayMs: 5 * MINUTE });
  });

  it.each([undefined, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'falls back when NextRotationDate is %s',
    (nextRotationDateMs) => {
      const schedule = computeRefreshSchedule({ nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs, jitterMs: 0 }, POLICY);
      expect(schedule).toMatchObject({ basis: 'rotation-interval', delayMs: 6 * HOUR });
    },
  );

  it('uses the RefreshInterval TTL for other secrets, else the default TTL, plus jitter', () => {
    expect(computeRefreshSchedule({ nowMs: NOW, rotatingAccessKey: false, ttlMs: 90_000, jitterMs: 10 }, POLICY)).toEqual({
      dueAtMs: NOW + 90_010,
      delayMs: 90_010,
      basis: 'ttl',
    });
    expect(computeRefreshSchedule({ nowMs: NOW, rotatingAccessKey: false, jitterMs: 0 }, POLICY).delayMs).toBe(HOUR);
    expect(computeRefreshSchedule({ nowMs: NOW, rotatingAccessKey: false, ttlMs: -1, jitterMs: 0 }, POLICY).delayMs).toBe(HOUR);
  });

  it('ignores NextRotationDate for secrets that are not rotating AccessKeys', () => {
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: false, nextRotationDateMs: NOW + MINUTE, jitterMs: 0 },
      POLICY,
    );
    expect(schedule).toMatchObject({ basis: 'ttl', delayMs: HOUR });
  });

  it('never schedules sooner than the minimum, even with a zero interval', () => {
    const schedule = computeRefreshSchedule({ nowMs: NOW, rotatingAccessKey: false, ttlMs: 1, jitterMs: 0 }, { ...POLICY, defaultTtlMs: 0 });
    expect(schedule.delayMs).toBe(MIN_REFRESH_DELAY_MS);
  });

  it('keeps intervals above 24.8 days exact (no 32-bit overflow)', () => {
    const thirtyDays = 30 * DAY;
    const schedule = computeRefreshSchedule(
      { nowMs: NOW, rotatingAccessKey: true, nextRotationDateMs: NOW + 29 * DAY, jitterMs: 0 },
      { ...POLICY, rotationIntervalMs: thirtyDays },
    );
    expect(schedule).toEqual({ dueAtMs: NOW + 29 * DAY + 5 * MINUTE, delayMs: 29 * DAY + 5 * MINUTE, basis: 'next-rotation' });
    expect(schedule.delayMs).toBeGreaterThan(2 ** 31 - 1);
  });
});

describe('computeRefreshSchedule: properties', () => {
  const duration = fc.integer({ min: 0, max: 400 * DAY });
  const policy = fc.record({ rotationIntervalMs: duration, delayIntervalMs: duration, defaultTtlMs: duration });
  const date = fc.oneof(
    fc.constant(undefined),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -1, 8.64e15, Number.MAX_VALUE),
    fc.integer({ min: NOW - 400 * DAY, max: NOW + 400 * DAY }), // past, near and far future
    fc.double({ noNaN: false }),
  );
  const input = fc.record({
    nowMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    rotatingAccessKey: fc.boolean(),
    nextRotationDateMs: date,
    ttlMs: fc.oneof(fc.constant(undefined), fc.double({ noNaN: false }), duration),
    jitterMs: fc.oneof(fc.integer({ min: 0, max: 10 * MINUTE }), fc.constantFrom(Number.NaN, -5)),
  });

  it('always yields a finite, safe integer delay in [min, max] and dueAt = now + delay', () => {
    fc.assert(
      fc.property(input, policy, (i, p) => {
        const { dueAtMs, delayMs } = computeRefreshSchedule(i, p);
        expect(Number.isSafeInteger(delayMs)).toBe(true);
        expect(Number.isSafeInteger(dueAtMs)).toBe(true);
        expect(delayMs).toBeGreaterThanOrEqual(MIN_REFRESH_DELAY_MS);
        expect(delayMs).toBeLessThanOrEqual(MAX_REFRESH_DELAY_MS);
        expect(dueAtMs).toBe(i.nowMs + delayMs);
      }),
    );
  });

  it('for rotating keys: never later than rotationInterval + jitter, and exactly N + delay + jitter when that is sooner and ahead', () => {
    fc.assert(
      fc.property(input, policy, (i, p) => {
        const jitter = Number.isFinite(i.jitterMs) && i.jitterMs > 0 ? i.jitterMs : 0;
        const schedule = computeRefreshSchedule({ ...i, rotatingAccessKey: true }, p);
        expect(schedule.delayMs).toBeLessThanOrEqual(Math.max(MIN_REFRESH_DELAY_MS, p.rotationIntervalMs + jitter));
        const n = i.nextRotationDateMs;
        const untilMs = n !== undefined && Number.isFinite(n) ? n + p.delayIntervalMs - i.nowMs : Number.NaN;
        if (untilMs > 0 && untilMs <= p.rotationIntervalMs) {
          expect(schedule.basis).toBe('next-rotation');
          expect(schedule.delayMs).toBe(Math.max(MIN_REFRESH_DELAY_MS, Math.floor(untilMs + jitter)));
        } else {
          expect(schedule.basis).toBe('rotation-interval');
          expect(schedule.delayMs).toBe(Math.max(MIN_REFRESH_DELAY_MS, p.rotationIntervalMs + jitter));
        }
      }),
    );
  });

  it('for other secrets: the valid TTL (else the default) plus jitter', () => {
    fc.assert(
      fc.property(input, policy, (i, p) => {
        const jitter = Number.isFinite(i.jitterMs) && i.jitterMs > 0 ? i.jitterMs : 0;
        const ttl = i.ttlMs !== undefined && Number.isFinite(i.ttlMs) && i.ttlMs > 0 ? i.ttlMs : p.defaultTtlMs;
        const schedule = computeRefreshSchedule({ ...i, rotatingAccessKey: false }, p);
        expect(schedule.basis).toBe('ttl');
        expect(schedule.delayMs).toBe(Math.min(MAX_REFRESH_DELAY_MS, Math.max(MIN_REFRESH_DELAY_MS, Math.floor(ttl + jitter))));
      }),
    );
  });
});
