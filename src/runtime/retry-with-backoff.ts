import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';
import { fullJitterDelayMs, type BackoffPolicy } from './backoff.js';
import type { Clock, RandomSource } from './clock.js';
import { sleepUntil, waitFor } from './wait.js';

/** What {@link retryWithBackoff} hands to each attempt. */
export interface RetryAttemptContext {
  /** 0-based number of this attempt. */
  readonly attempt: number;
  /**
   * Aborted when the deadline passes or the caller's signal aborts while the loop runs: pass it to the
   * request so nothing is left in flight.
   */
  readonly signal: AbortSignal;
  /** Ms left until the deadline when the attempt starts (`Infinity` without one): clip per-request timeouts to it. */
  readonly remainingMs: number;
}

/** One attempt that failed, as recorded by {@link retryWithBackoff}. */
export interface RetryAttemptFailure {
  /** 0-based number of the attempt. */
  readonly attempt: number;
  /** What it rejected with. */
  readonly error: unknown;
  /** What `isRetryable` said of `error`. */
  readonly retryable: boolean;
  /** Monotonic time ({@link Clock.monotonicNow}) when it started. */
  readonly startedAtMs: number;
  /** How long it ran, in ms. */
  readonly elapsedMs: number;
  /** Backoff before the next attempt, in ms; `undefined` when no attempt follows. */
  readonly retryInMs: number | undefined;
}

/** The attempt that was still running when the deadline passed; the loop aborted it. */
export interface RetryAttemptInFlight {
  /** 0-based number of the attempt. */
  readonly attempt: number;
  /** Monotonic time when it started. */
  readonly startedAtMs: number;
  /** How long it had been waiting, in ms. */
  readonly elapsedMs: number;
}

/** Options of {@link retryWithBackoff}. */
export interface RetryWithBackoffOptions {
  /** Time, timers and the monotonic clock the deadline is measured on. */
  clock: Clock;
  /** Whether a failed attempt may be retried; a `false` ends the loop with that error. */
  isRetryable: (error: unknown) => boolean;
  /** Full-jitter backoff between attempts (the delay after attempt `n` is drawn for exponent `n`). */
  backoff: BackoffPolicy;
  /**
   * Monotonic time ({@link Clock.monotonicNow}) at which the loop gives up: no attempt starts at or after it,
   * no backoff sleeps past it (the loop gives up at once instead), and an attempt still running then is
   * aborted through its signal. Default: no deadline.
   */
  deadlineAtMs?: number;
  /** Attempts at most, the first one included; at least 1. Default: no limit. */
  maxAttempts?: number;
  /** Jitter source; default `Math.random`. */
  random?: RandomSource;
  /**
   * The wait after a retryable failure, overriding `backoff` for it when it returns a number (e.g. a wider
   * spread after a throttled answer); `undefined` keeps the full-jitter backoff.
   */
  retryDelayMs?: (failure: { attempt: number; error: unknown }) => number | undefined;
  /** Ends the loop at once with `signal.reason`; the attempt in flight is aborted with the same reason. */
  signal?: AbortSignal;
  /**
   * Called for each failed attempt (retryable or not) before the loop decides what comes next; a throw ends
   * the loop with that error. Not called for an attempt cut short by the deadline or by `signal`.
   */
  onAttemptFailed?: (failure: RetryAttemptFailure) => void;
  /**
   * Keep the process alive while the loop waits (for an attempt, a backoff sleep, the deadline). Default
   * `true`: a caller awaits the result, and a script awaiting it must not exit with the call pending. Background
   * work (a refresh nobody awaits) passes `false`.
   */
  keepAlive?: boolean;
}

/**
 * {@link retryWithBackoff} ran out of its deadline (`reason` `deadline`) or of `maxAttempts` (`reason`
 * `attempts`) while every failure was retryable. Carries the history, so the caller can report what
 * happened (for KMS sources: a `KmsError` `Kms.FetchTimeout`). The message holds counts only, never an error
 * message.
 */
export class RetriesExhaustedError extends ManagedCredentialsError {
  /** Which limit ended the loop. */
  readonly reason: 'deadline' | 'attempts';
  /** Every failed attempt, oldest first. */
  readonly failures: readonly RetryAttemptFailure[];
  /** The attempt that was aborted at the deadline, if one was running. */
  readonly inFlight: RetryAttemptInFlight | undefined;

  /**
   * @param reason - the limit that was reached
   * @param failures - the failed attempts, oldest first
   * @param inFlight - the attempt aborted at the deadline, if any
   */
  constructor(reason: 'deadline' | 'attempts', failures: readonly RetryAttemptFailure[], inFlight?: RetryAttemptInFlight) {
    const attempts = failures.length + (inFlight === undefined ? 0 : 1);
    super(
      'RetriesExhausted',
      `no success ${reason === 'deadline' ? 'before the deadline' : 'within the attempt limit'} after ${attempts} attempt(s)` +
        (inFlight === undefined ? '' : `, the last one still in flight after ${Math.round(inFlight.elapsedMs)} ms`),
      failures.length === 0 ? undefined : { cause: failures[failures.length - 1]?.error },
    );
    this.reason = reason;
    this.failures = failures;
    this.inFlight = inFlight;
  }

  /** The error of the last failed attempt, or `undefined` when no attempt failed (the only one was cut short). */
  get lastError(): unknown {
    return this.failures[this.failures.length - 1]?.error;
  }
}

/**
 * Calls `attempt` until it succeeds, with full-jitter backoff between tries (the one retry loop, used by the
 * failover group, the one retry layer of the KMS sources).
 *
 * - Resolves with the first success.
 * - Rejects with the attempt's own error when `isRetryable` says it is final.
 * - Rejects with a {@link RetriesExhaustedError} when `maxAttempts` are used up, or when the deadline comes:
 *   at the deadline itself if an attempt or a sleep is running then (the attempt is aborted through its
 *   signal, and the loop does not wait for it to notice), or earlier when the next backoff would end at
 *   or after the deadline. No attempt starts at or after the deadline.
 * - Rejects with `signal.reason` as soon as `signal` aborts, aborting the attempt in flight.
 *
 * Every wait (an attempt, a backoff sleep, the deadline) goes through the one wait helper ({@link waitFor},
 * {@link sleepUntil}): it holds the process open while the loop runs unless `keepAlive` is `false`, and
 * everything it arms is released when the loop settles.
 *
 * @param attempt - one try; gets the attempt number, an abort signal and the time left
 * @param options - deadline, retry policy, clock and hooks
 * @throws RangeError (synchronously) for a NaN `deadlineAtMs` or a `maxAttempts` below 1
 */
export function retryWithBackoff<T>(
  attempt: (context: RetryAttemptContext) => Promise<T>,
  options: RetryWithBackoffOptions,
): Promise<T> {
  const deadlineAtMs = options.deadlineAtMs ?? Infinity;
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (Number.isNaN(deadlineAtMs)) throw new RangeError('retryWithBackoff: deadlineAtMs must be a number');
  if (!(maxAttempts >= 1)) throw new RangeError('retryWithBackoff: maxAttempts must be at least 1');
  return runLoop(attempt, options, deadlineAtMs, maxAttempts);
}

/** What an attempt did, so that a rejection of the wait around it can only be the deadline or the caller's abort. */
type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function runLoop<T>(
  attempt: (context: RetryAttemptContext) => Promise<T>,
  options: RetryWithBackoffOptions,
  deadlineAtMs: number,
  maxAttempts: number,
): Promise<T> {
  const { clock, isRetryable, backoff, signal, onAttemptFailed } = options;
  const random = options.random ?? Math.random;
  if (signal?.aborted) throw signal.reason;
  const attemptController = new AbortController();
  const failures: RetryAttemptFailure[] = [];
  let running: { attempt: number; startedAtMs: number } | undefined;
  const exhausted = (reason: 'deadline' | 'attempts'): RetriesExhaustedError => {
    const inFlight = running && { ...running, elapsedMs: clock.monotonicNow() - running.startedAtMs };
    return new RetriesExhaustedError(reason, failures, inFlight);
  };
  // The deadline or the caller's abort ends the attempt in flight at once, with the same reason.
  const abortAttempt = (reason: unknown) => {
    if (running !== undefined) attemptController.abort(reason);
  };
  const onCallerAbort = () => abortAttempt(signal?.reason);
  // One set of wait options for every wait of the loop: the deadline, the caller's signal, keep-alive.
  const waits = {
    clock,
    deadlineAtMs,
    signal,
    keepAlive: options.keepAlive !== false,
    onDeadline: () => {
      const error = exhausted('deadline');
      abortAttempt(error);
      return error;
    },
  };
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    for (let number = 0; ; number++) {
      const startedAtMs = clock.monotonicNow();
      if (startedAtMs >= deadlineAtMs) throw exhausted('deadline');
      running = { attempt: number, startedAtMs };
      let pending: Promise<T>;
      try {
        pending = attempt({ attempt: number, signal: attemptController.signal, remainingMs: deadlineAtMs - startedAtMs });
      } catch (error) {
        pending = Promise.reject(error);
      }
      const outcome = await waitFor<AttemptOutcome<T>>(
        Promise.resolve(pending).then(
          (value) => ({ ok: true, value }),
          (error: unknown) => ({ ok: false, error }),
        ),
        waits,
      );
      running = undefined;
      if (outcome.ok) return outcome.value;
      const { error } = outcome;

      const nowMs = clock.monotonicNow();
      const retryable = isRetryable(error);
      let retryInMs: number | undefined;
      let limit: 'deadline' | 'attempts' | undefined;
      if (retryable) {
        // A failure at the deadline (e.g. a request timeout clipped to the time left) is the deadline's doing.
        if (nowMs >= deadlineAtMs) {
          limit = 'deadline';
        } else if (number + 1 >= maxAttempts) {
          limit = 'attempts';
        } else {
          const delayMs = options.retryDelayMs?.({ attempt: number, error }) ?? fullJitterDelayMs(number, backoff, random);
          if (nowMs + delayMs >= deadlineAtMs) limit = 'deadline';
          else retryInMs = delayMs;
        }
      }
      failures.push({ attempt: number, error, retryable, startedAtMs, elapsedMs: nowMs - startedAtMs, retryInMs });
      onAttemptFailed?.(failures[failures.length - 1] as RetryAttemptFailure);
      // The hook may have aborted the caller's signal.
      if (signal?.aborted) throw signal.reason;
      if (!retryable) throw error;
      if (limit !== undefined) throw exhausted(limit);
      await sleepUntil(nowMs + (retryInMs as number), waits);
    }
  } finally {
    signal?.removeEventListener('abort', onCallerAbort);
  }
}
