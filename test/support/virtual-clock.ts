import type { Clock, TimerHandle, TimerOptions } from '../../src/runtime/clock.js';
import { clampTimerDelay } from '../../src/runtime/clock.js';

interface PendingTimer {
  id: number;
  dueMs: number;
  callback: () => void;
  keepAlive: boolean;
}

/**
 * A {@link Clock} whose time only moves when the test says so. `advance(ms)` fires due timers in order and
 * lets promise callbacks settle between them, so async code scheduled by a timer runs before the next one.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  /** Monotonic time: moves with advance(), not with setWallClock(). */
  private monotonicMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, PendingTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  monotonicNow(): number {
    return this.monotonicMs;
  }

  /** Steps the wall clock (as an NTP correction or an operator would) without moving monotonic time or timers. */
  setWallClock(epochMs: number): void {
    this.nowMs = epochMs;
  }

  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.monotonicMs + clampTimerDelay(delayMs), callback, keepAlive: options?.keepAlive === true });
    return id;
  }

  /** Pending timers that would keep a real process alive (`keepAlive`). */
  get keepAliveTimers(): number {
    let count = 0;
    for (const timer of this.timers.values()) if (timer.keepAlive) count++;
    return count;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Due time of the earliest pending timer, if any, on the wall clock. */
  get nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values()) if (next === undefined || timer.dueMs < next) next = timer.dueMs;
    return next === undefined ? undefined : next - this.monotonicMs + this.nowMs;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.monotonicMs + ms;
    for (;;) {
      await flushPromises();
      const due = [...this.timers.values()]
        .filter((t) => t.dueMs <= targetMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (!due) break;
      this.timers.delete(due.id);
      this.moveTo(Math.max(this.monotonicMs, due.dueMs));
      due.callback();
    }
    this.moveTo(targetMs);
    await flushPromises();
  }

  private moveTo(monotonicMs: number): void {
    this.nowMs += monotonicMs - this.monotonicMs;
    this.monotonicMs = monotonicMs;
  }

  /** Moves time to the next pending timer and fires it (and any due at the same time). */
  async runNext(): Promise<void> {
    const next = this.nextDueMs;
    if (next !== undefined) await this.advance(Math.max(0, next - this.nowMs));
  }
}

/** Lets pending promise callbacks (and one macrotask turn) run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A {@link VirtualClock} whose timers of more than 1 ms fire 1 ms early, as Node's may (they count from the
 * event loop's cached time): for code that must not act before its deadline on the monotonic clock.
 */
export class EarlyFiringClock extends VirtualClock {
  override setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle {
    return super.setTimeout(callback, delayMs > 1 ? delayMs - 1 : delayMs, options);
  }
}
