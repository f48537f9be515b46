import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/runtime/deadline.js';
import { sleepUntil, waitFor } from '../../src/runtime/wait.js';
import { EarlyFiringClock, VirtualClock } from '../support/virtual-clock.js';

function settled<T>(promise: Promise<T>): { state: () => string; value: () => unknown } {
  let state = 'pending';
  let value: unknown;
  promise.then(
    (v) => ((state = 'resolved'), (value = v)),
    (e: unknown) => ((state = 'rejected'), (value = e)),
  );
  return { state: () => state, value: () => value };
}

describe('waitFor', () => {
  it('resolves with the promise, releasing its keep-alive timer', async () => {
    const clock = new VirtualClock();
    let resolve!: (v: string) => void;
    const wait = settled(waitFor(new Promise<string>((r) => (resolve = r)), { clock, deadlineAtMs: 5_000 }));
    expect(clock.keepAliveTimers).toBe(1);
    resolve('ok');
    await clock.advance(0);
    expect(wait.state()).toBe('resolved');
    expect(wait.value()).toBe('ok');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with onDeadline at the deadline, not before, even when timers fire early', async () => {
    const clock = new EarlyFiringClock();
    const wait = settled(waitFor(new Promise(() => undefined), { clock, deadlineAtMs: 1_000, onDeadline: () => new Error('late') }));
    await clock.advance(999);
    expect(wait.state()).toBe('pending');
    await clock.advance(1);
    expect(wait.state()).toBe('rejected');
    expect((wait.value() as Error).message).toBe('late');
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps the process alive even without a deadline, and not at all with keepAlive false', async () => {
    const clock = new VirtualClock();
    const pending = new Promise<void>(() => undefined);
    void waitFor(pending, { clock });
    expect(clock.keepAliveTimers).toBe(1);
    const background = new VirtualClock();
    void waitFor(pending, { clock: background, deadlineAtMs: 10, keepAlive: false });
    expect(background.pendingTimers).toBe(1);
    expect(background.keepAliveTimers).toBe(0);
  });

  it('rejects with the abort reason and consumes a late rejection of the promise', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let reject!: (e: unknown) => void;
    const wait = settled(waitFor(new Promise((_, r) => (reject = r)), { clock, signal: controller.signal }));
    controller.abort(new Error('stop'));
    await clock.advance(0);
    expect((wait.value() as Error).message).toBe('stop');
    reject(new Error('late')); // would be an unhandled rejection if nobody consumed it
    await clock.advance(0);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('sleepUntil', () => {
  it('resolves at its time and rejects at the deadline when that comes first', async () => {
    const clock = new VirtualClock();
    const short = settled(sleepUntil(300, { clock, deadlineAtMs: 1_000 }));
    const long = settled(sleepUntil(2_000, { clock, deadlineAtMs: 1_000, onDeadline: () => 'deadline' }));
    await clock.advance(300);
    expect(short.state()).toBe('resolved');
    expect(long.state()).toBe('pending');
    await clock.advance(700);
    expect(long.state()).toBe('rejected');
    expect(long.value()).toBe('deadline');
  });
});

describe('Deadline', () => {
  it('counts down on the monotonic clock and never goes negative', async () => {
    const clock = new VirtualClock();
    const deadline = Deadline.after(clock, 1_000);
    clock.setWallClock(0); // a wall-clock step changes nothing
    await clock.advance(400);
    expect(deadline.remainingMs()).toBe(600);
    expect(deadline.min(deadline.atMs + 5)).toBe(deadline);
    expect(deadline.min(500).atMs).toBe(500);
    await clock.advance(700);
    expect(deadline.remainingMs()).toBe(0);
    expect(deadline.expired).toBe(true);
  });
});
