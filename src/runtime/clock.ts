import { performance } from 'node:perf_hooks';

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Options of {@link Clock.setTimeout}. */
export interface TimerOptions {
  /**
   * Keep the process alive while this timer is pending. Only for waits a caller is awaiting (a deadline, a
   * retry sleep someone waits on); background work (scheduled refreshes, background retries) never sets it,
   * so an idle cache does not hold a process open.
   */
  keepAlive?: boolean;
}

/**
 * Time source and timer factory. Everything that waits or schedules takes one, so schedule, backoff and
 * rate-limit logic can be tested in virtual time (see `test/support/virtual-clock.ts`).
 */
export interface Clock {
  /** Wall-clock time, milliseconds since the epoch: only for comparing with dates from KMS. */
  now(): number;
  /**
   * Monotonic milliseconds (arbitrary origin) that never jump when the wall clock is set: for delays,
   * deadlines and re-arming timers.
   */
  monotonicNow(): number;
  /**
   * Runs `callback` after `delayMs`. Implementations must not keep the process alive (`unref()`) unless
   * `options.keepAlive` is set, and must clamp `delayMs` to {@link MAX_TIMER_DELAY_MS}; callers that need
   * longer waits re-arm.
   */
  setTimeout(callback: () => void, delayMs: number, options?: TimerOptions): TimerHandle;
  /** Cancels a timer; a no-op for an unknown or already-fired handle. */
  clearTimeout(handle: TimerHandle): void;
}

/** The largest delay Node's timers accept (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now()`, `performance.now()` and Node timers with the delay clamped to a safe range,
 * `unref()`'d unless `keepAlive` is asked for.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNow: () => performance.now(),
  setTimeout(callback, delayMs, options) {
    const timer = setTimeout(callback, clampTimerDelay(delayMs));
    if (options?.keepAlive !== true) timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** Clamps a delay to `[0, MAX_TIMER_DELAY_MS]`; NaN becomes 0. */
export function clampTimerDelay(delayMs: number): number {
  if (!Number.isFinite(delayMs)) return Number.isNaN(delayMs) || delayMs < 0 ? 0 : MAX_TIMER_DELAY_MS;
  return Math.min(Math.max(0, Math.floor(delayMs)), MAX_TIMER_DELAY_MS);
}

/** A source of uniformly distributed numbers in `[0, 1)`, like `Math.random`. Injected for tests. */
export type RandomSource = () => number;
