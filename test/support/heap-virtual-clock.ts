import { clampTimerDelay, type Clock, type TimerHandle, type TimerOptions } from '../../src/runtime/clock.js';

/** One pending timer; `callback` is dropped when it is cleared (lazy deletion from the heap). */
interface HeapTimer {
  dueMs: number;
  /** Creation order: timers due at the same time fire in the order they were set. */
  order: number;
  callback: (() => void) | undefined;
}

/**
 * A virtual {@link Clock} for simulations with many thousands of timers: a binary heap ordered by due time
 * (then creation order), so firing a timer costs O(log n) instead of a scan of every timer. Time only moves
 * in {@link HeapVirtualClock.advance}; wall and monotonic time move together there, and only
 * {@link HeapVirtualClock.stepWall} moves wall time alone (a clock set by NTP or an operator: the monotonic
 * clock never steps). `keepAlive` is ignored (nothing here holds a process open).
 *
 * Between two due times it lets every promise callback run (one macrotask turn drains the microtask queue),
 * so async code woken by a timer has done its work before time moves on. Code under simulation must
 * therefore wait only on this clock's timers, never on real I/O.
 */
export class HeapVirtualClock implements Clock {
  #wallOffsetMs: number;
  #nowMs = 0;
  #nextOrder = 0;
  #heap: HeapTimer[] = [];
  #pending = 0;

  /** @param startWallMs - wall-clock time at monotonic 0 */
  constructor(startWallMs = Date.UTC(2026, 0, 1)) {
    this.#wallOffsetMs = startWallMs;
  }

  now(): number {
    return this.#wallOffsetMs + this.#nowMs;
  }

  monotonicNow(): number {
    return this.#nowMs;
  }

  setTimeout(callback: () => void, delayMs: number, _options?: TimerOptions): TimerHandle {
    const timer: HeapTimer = { dueMs: this.#nowMs + clampTimerDelay(delayMs), order: this.#nextOrder++, callback };
    this.#push(timer);
    this.#pending++;
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const timer = handle as HeapTimer | undefined;
    if (timer?.callback === undefined) return;
    timer.callback = undefined;
    this.#pending--;
    // Cleared timers stay in the heap until they come up; rebuild it when they outnumber the live ones.
    if (this.#heap.length > 2 * this.#pending + 4096) this.#compact();
  }

  #compact(): void {
    const live = this.#heap.filter((timer) => timer.callback !== undefined);
    this.#heap = [];
    for (const timer of live) this.#push(timer);
  }

  /**
   * Steps the wall clock by `deltaMs` (forward or back) without moving monotonic time or firing timers, as
   * when the system clock is set: timers are due on the monotonic clock, so none fires earlier or later.
   */
  stepWall(deltaMs: number): void {
    this.#wallOffsetMs += deltaMs;
  }

  /** Timers set and neither fired nor cleared. */
  get pendingTimers(): number {
    return this.#pending;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due in due order, with promise callbacks
   * settled after each group of timers due at the same time.
   */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms;
    await drain();
    for (;;) {
      const top = this.#peekLive();
      if (top === undefined || top.dueMs > targetMs) break;
      this.#nowMs = Math.max(this.#nowMs, top.dueMs);
      // Every timer due now, including ones set with delay 0 by these callbacks, before the next drain.
      for (let next = this.#peekLive(); next !== undefined && next.dueMs <= this.#nowMs; next = this.#peekLive()) {
        this.#pop();
        const callback = next.callback as () => void;
        next.callback = undefined;
        this.#pending--;
        callback();
      }
      await drain();
    }
    this.#nowMs = targetMs;
    await drain();
  }

  #peekLive(): HeapTimer | undefined {
    while (this.#heap.length > 0 && (this.#heap[0] as HeapTimer).callback === undefined) this.#pop();
    return this.#heap[0];
  }

  #push(timer: HeapTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent] as HeapTimer)) break;
      heap[i] = heap[parent] as HeapTimer;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop() as HeapTimer;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as HeapTimer, heap[left] as HeapTimer) ? right : left;
      if (!before(heap[child] as HeapTimer, last)) break;
      heap[i] = heap[child] as HeapTimer;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: HeapTimer, b: HeapTimer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order);
}

/** One macrotask turn: every queued promise callback (and those they queue) runs first. */
function drain(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
