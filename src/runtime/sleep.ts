import { systemClock, type Clock } from './clock.js';

/**
 * Waits `delayMs` on `clock`; rejects with the signal's reason as soon as `signal` aborts.
 * The timer is cleared on abort, so nothing lingers.
 */
export function sleep(delayMs: number, options: { signal?: AbortSignal; clock?: Clock } = {}): Promise<void> {
  const { signal, clock = systemClock } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
