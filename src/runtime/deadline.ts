import type { Clock } from './clock.js';

/**
 * The one point in time by which a call must settle, created when the call starts and passed into every wait
 * of that call (joining a fetch, a forced refresh, a hold, a retry), so that however many waits a call makes,
 * together they never take longer than its budget. Measured on the monotonic clock of `clock`.
 */
export class Deadline {
  /**
   * @param clock - the clock the deadline is measured on (its `monotonicNow`)
   * @param atMs - monotonic ms at which the call's budget ends (`Infinity`: none)
   */
  constructor(
    readonly clock: Clock,
    readonly atMs: number,
  ) {}

  /** A deadline `budgetMs` from now on `clock`. */
  static after(clock: Clock, budgetMs: number): Deadline {
    return new Deadline(clock, clock.monotonicNow() + budgetMs);
  }

  /** Ms left (never negative; `Infinity` without a deadline). */
  remainingMs(): number {
    return Math.max(0, this.atMs - this.clock.monotonicNow());
  }

  /** Whether the budget is used up. */
  get expired(): boolean {
    return this.clock.monotonicNow() >= this.atMs;
  }

  /** The earlier of this deadline and monotonic time `atMs` (the same clock). */
  min(atMs: number): Deadline {
    return atMs < this.atMs ? new Deadline(this.clock, atMs) : this;
  }
}
