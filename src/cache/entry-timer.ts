import { clampTimerDelay, type Clock, type TimerHandle } from '../runtime/clock.js';

/**
 * One background timer of a cache entry, due at a monotonic time that may lie beyond one Node timer period
 * (2^31-1 ms): it re-arms capped timers until the due time is reached, measured on the monotonic clock so a
 * wall-clock step neither delays nor advances it. Always unref'd (background work).
 */
export class EntryTimer<Reason> {
  #handle: TimerHandle | undefined;
  #dueAtMs: number | undefined;
  #reason: Reason | undefined;

  /**
   * @param clock - time and timers
   * @param onDue - called once when the due time is reached, with the reason given to {@link arm}
   */
  constructor(
    private readonly clock: Clock,
    private readonly onDue: (reason: Reason) => void,
  ) {}

  /** Monotonic due time of the armed timer, if any. */
  get dueAtMs(): number | undefined {
    return this.#dueAtMs;
  }

  /** Why the timer is armed (e.g. a scheduled refresh or a retry), if armed. */
  get reason(): Reason | undefined {
    return this.#reason;
  }

  /** (Re-)arms for `dueAtMs` (monotonic), replacing any earlier arming. */
  arm(dueAtMs: number, reason: Reason): void {
    this.cancel();
    this.#dueAtMs = dueAtMs;
    this.#reason = reason;
    this.#schedule();
  }

  cancel(): void {
    if (this.#handle !== undefined) this.clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#dueAtMs = undefined;
    this.#reason = undefined;
  }

  #schedule(): void {
    const dueAtMs = this.#dueAtMs as number;
    this.#handle = this.clock.setTimeout(() => {
      this.#handle = undefined;
      if (dueAtMs > this.clock.monotonicNow()) {
        this.#schedule(); // a capped period ended early; keep waiting
        return;
      }
      const reason = this.#reason as Reason;
      this.#dueAtMs = undefined;
      this.#reason = undefined;
      this.onDue(reason);
    }, clampTimerDelay(dueAtMs - this.clock.monotonicNow()));
  }
}
