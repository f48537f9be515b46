import type { Clock, TimerHandle } from './clock.js';

/** Options of {@link waitFor} and {@link sleepUntil}. */
export interface WaitOptions {
  /** The clock the deadline and the sleep are measured on (monotonic). */
  clock: Clock;
  /** Monotonic ms by which the wait ends at the latest; `undefined` or `Infinity`: no deadline. */
  deadlineAtMs?: number | undefined;
  /** The error the wait rejects with at the deadline. Default: a `RangeError` saying the deadline passed. */
  onDeadline?: (() => unknown) | undefined;
  /**
   * Abandons the wait with `signal.reason` (what is waited for goes on). Several signals (e.g. the caller's and
   * a client's shutdown) end it when the first of them aborts.
   */
  signal?: AbortSignal | readonly AbortSignal[] | undefined;
  /**
   * Keep the process alive while waiting. Default `true`: whatever a caller awaits must hold the process open
   * (background timers are unref'd, so without it a script could exit with its call pending). Background work
   * passes `false`.
   */
  keepAlive?: boolean;
}

/**
 * The one wait helper: waits for `promise` or, with `untilMs`, until a monotonic time, bounded by a deadline
 * and an abort signal, holding the process open while it waits (unless `keepAlive: false`). Everything it
 * arms is released when it ends; a late outcome of `promise` is consumed (no unhandled rejection).
 */
export function waitFor<T>(promise: Promise<T>, options: WaitOptions): Promise<T> {
  return wait(promise, undefined, options) as Promise<T>;
}

/**
 * Sleeps until monotonic `dueAtMs` (or the deadline, if sooner: then it rejects like {@link waitFor}),
 * bounded by the abort signal, holding the process open while it sleeps (unless `keepAlive: false`).
 */
export function sleepUntil(dueAtMs: number, options: WaitOptions): Promise<void> {
  return wait(undefined, dueAtMs, options) as Promise<void>;
}

function wait(promise: Promise<unknown> | undefined, untilMs: number | undefined, options: WaitOptions): Promise<unknown> {
  const { clock } = options;
  const signals = options.signal === undefined ? [] : Array.isArray(options.signal) ? (options.signal as readonly AbortSignal[]) : [options.signal as AbortSignal];
  const deadlineAtMs = options.deadlineAtMs ?? Infinity;
  const keepAlive = options.keepAlive !== false;
  const aborted = signals.find((signal) => signal.aborted);
  if (aborted !== undefined) {
    promise?.catch(() => undefined);
    return Promise.reject(aborted.reason);
  }
  return new Promise<unknown>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (event: Event) => finish(() => reject((event.target as AbortSignal).reason));
    const deadlineError = () => options.onDeadline?.() ?? new RangeError('the deadline passed before the wait ended');
    // Re-armed rather than trusted: a (capped or early) timer must not end the wait before its time.
    const arm = () => {
      timer = undefined;
      const nowMs = clock.monotonicNow();
      if (untilMs !== undefined && nowMs >= untilMs && untilMs < deadlineAtMs) return finish(() => resolve(undefined));
      if (nowMs >= deadlineAtMs) return finish(() => reject(deadlineError()));
      const endMs = Math.min(untilMs ?? Infinity, deadlineAtMs);
      if (endMs === Infinity) {
        // Nothing to time: a keep-alive still needs a pending timer to hold the process open.
        if (keepAlive) timer = clock.setTimeout(arm, 2 ** 31 - 1, { keepAlive: true });
        return;
      }
      timer = clock.setTimeout(arm, Math.ceil(endMs - nowMs), { keepAlive });
    };
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
    promise?.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
    arm();
  });
}
