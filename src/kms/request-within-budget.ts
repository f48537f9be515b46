import { isRetryableError } from '../errors/is-retryable-error.js';
import type { Clock } from '../runtime/clock.js';
import { waitFor } from '../runtime/wait.js';
import { fetchDeadlineAtMs, fetchTimeoutError } from './fetch-timeout-error.js';
import type { GetSecretValueOptions } from './secret-source.js';

/** What {@link requestWithinBudget} needs besides the request. */
export interface RequestWithinBudgetContext {
  /** The clock the budget is measured on (its `monotonicNow`) and the deadline's timer runs on. */
  readonly clock: Clock;
  /** The secret asked for (for the `Kms.FetchTimeout` message). */
  readonly secretName: string;
  /** The source's `description` (for the message and `KmsError.source`). */
  readonly source: string;
}

/**
 * The one request a source sends per `getSecretValue` call (sources do not retry: the failover group is the
 * one retry layer), bounded by the call's options:
 *
 * - `timeoutMs` is the budget: `send` gets the time left to clip its own timeouts to; a request still
 *   running at the deadline is aborted through its signal and the call rejects at once with a retryable
 *   `KmsError` `Kms.FetchTimeout` (`request in flight for ... ms`); a retryable failure at or after the
 *   deadline (a timeout clipped to the budget) is reported as that `Kms.FetchTimeout` naming the failure.
 *   Any other outcome is the request's own.
 * - `signal` aborts the request and rejects with its reason at once.
 * - The wait keeps the process alive unless `keepAlive` is `false` (see {@link GetSecretValueOptions.keepAlive}).
 *
 * @param send - sends the request; gets an abort signal and the ms left (`Infinity` without a budget)
 * @param options - the call's options
 * @param context - clock, secret name and source description
 * @throws KmsError `Kms.InvalidOptions` (as a rejection) for a bad `timeoutMs`, before anything is sent
 */
export async function requestWithinBudget<T>(
  send: (signal: AbortSignal, remainingMs: number) => Promise<T>,
  options: GetSecretValueOptions,
  context: RequestWithinBudgetContext,
): Promise<T> {
  const { clock, secretName, source } = context;
  const { signal } = options;
  const startedAtMs = clock.monotonicNow();
  const deadlineAtMs = fetchDeadlineAtMs(startedAtMs, options.timeoutMs, source) ?? Infinity;
  signal?.throwIfAborted();
  const budgetMs = deadlineAtMs - startedAtMs;
  const request = new AbortController();
  // The deadline or the caller's abort destroys the request at once, with the same reason.
  const onCallerAbort = () => request.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  // Sent once the wait below has armed the deadline, so that at the deadline the call ends as "no answer by
  // the deadline" before a request timeout clipped to the same instant fires; nothing is sent when the
  // budget is already used up. A synchronous throw of `send` becomes the call's rejection.
  const pending = Promise.resolve().then(() =>
    request.signal.aborted ? Promise.reject(request.signal.reason as Error) : send(request.signal, Math.max(0, deadlineAtMs - clock.monotonicNow())),
  );
  try {
    return await waitFor(pending, {
      clock,
      deadlineAtMs,
      signal,
      keepAlive: options.keepAlive !== false,
      onDeadline: () => {
        const error = fetchTimeoutError({
          secretName,
          budgetMs,
          source,
          histories: [{ source, errors: [], inFlightMs: clock.monotonicNow() - startedAtMs }],
        });
        request.abort(error);
        return error;
      },
    });
  } catch (error) {
    if (!request.signal.aborted && isRetryableError(error) && clock.monotonicNow() >= deadlineAtMs) {
      throw fetchTimeoutError({ secretName, budgetMs, source, histories: [{ source, errors: [error] }] });
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', onCallerAbort);
  }
}
