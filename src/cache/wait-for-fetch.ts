import type { Clock } from '../runtime/clock.js';

/** Options of {@link waitForFetch}. */
export interface WaitForFetchOptions {
  clock: Clock;
  /** Monotonic time by which the wait ends at the latest. */
  deadlineAtMs: number;
  /** The error the wait rejects with at the deadline (only if the fetch has not settled by then). */
  onDeadline: () => unknown;
  /** Abandons this caller's wait; the shared fetch goes on for its other waiters. */
  signal?: AbortSignal | undefined;
}

/**
 * A caller's wait for a shared fetch. While it waits, a keep-alive timer holds the process open (background
 * timers are unref'd, so without it a script awaiting its first credential could exit with the call
 * pending); the same timer bounds the wait. Everything is released when the wait ends.
 */
export function waitForFetch<T>(promise: Promise<T>, options: WaitForFetchOptions): Promise<T> {
  const { clock, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clock.clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(signal?.reason));
    const deadline = clock.setTimeout(
      () => finish(() => reject(options.onDeadline())),
      options.deadlineAtMs - clock.monotonicNow(),
      { keepAlive: true },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * A caller's short wait until `dueAtMs` (monotonic) for an imminent fetch; keeps the process alive while it
 * waits (the caller is awaiting it). Rejects with the signal's reason on abort.
 */
export function holdUntil(dueAtMs: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      dueAtMs - clock.monotonicNow(),
      { keepAlive: true },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

