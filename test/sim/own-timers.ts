import type { Clock, TimerHandle } from '../../src/runtime/clock.js';

/**
 * The timers the simulated world (KMS and OSS latency, the workload, the fault schedule) sets on the shared
 * virtual clock, counted apart from the library's, so "no timer left after `close()`" can be checked as
 * `clock.pendingTimers - world.pending`.
 */
export class OwnTimers {
  readonly #live = new Set<TimerHandle>();

  /** @param clock - the virtual clock shared with the library */
  constructor(private readonly clock: Clock) {}

  /** Runs `callback` after `delayMs` of virtual time. */
  set(callback: () => void, delayMs: number): TimerHandle {
    const handle = this.clock.setTimeout(() => {
      this.#live.delete(handle);
      callback();
    }, delayMs);
    this.#live.add(handle);
    return handle;
  }

  /** Cancels a timer set with {@link OwnTimers.set}. */
  clear(handle: TimerHandle): void {
    if (!this.#live.delete(handle)) return;
    this.clock.clearTimeout(handle);
  }

  /** Timers of the world still pending. */
  get pending(): number {
    return this.#live.size;
  }
}
