import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/cache/token-bucket.js';
import { VirtualClock } from '../support/virtual-clock.js';

const TEN_MINUTES = 10 * 60_000;

describe('TokenBucket', () => {
  it('starts full, empties, and refills one token per interval up to capacity', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 5, refillIntervalMs: TEN_MINUTES, clock });
    for (let i = 0; i < 5; i++) expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(TEN_MINUTES - 1);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(100 * TEN_MINUTES);
    expect(bucket.available).toBe(5);
  });

  it('keeps partial progress towards the next token across takes', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ capacity: 2, refillIntervalMs: TEN_MINUTES, clock });
    bucket.tryTake();
    bucket.tryTake();
    await clock.advance(15 * 60_000); // one token and half of the next
    expect(bucket.tryTake()).toBe(true);
    await clock.advance(5 * 60_000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('with capacity 0 never allows anything', () => {
    const bucket = new TokenBucket({ capacity: 0, refillIntervalMs: 1, clock: new VirtualClock() });
    expect(bucket.tryTake()).toBe(false);
  });

  it('survives a clock that goes backwards', () => {
    let now = 1_000_000;
    const bucket = new TokenBucket({ capacity: 1, refillIntervalMs: 1000, clock: { now: () => now } });
    expect(bucket.tryTake()).toBe(true);
    now -= 500_000;
    expect(bucket.tryTake()).toBe(false);
    now += 1000;
    expect(bucket.tryTake()).toBe(true);
  });
});
