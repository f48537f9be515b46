import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';
import { fullJitterDelayMs, type BackoffPolicy } from './backoff.js';
import { MAX_TIMER_DELAY_MS, type Clock, type RandomSource, type TimerHandle } from './clock.js';

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
 * Calls `attempt` until it succeeds, with full-jitter backoff between tries (the one retry loop of the KMS
 * sources and the failover group).
 *
 * - Resolves with the first success.
 * - Rejects with the attempt's own error when `isRetryable` says it is final.
 * - Rejects with a {@link RetriesExhaustedError} when `maxAttempts` are used up, or when the deadline comes:
 *   at the deadline itself if an attempt or a sleep is running then (the attempt is aborted through its
 *   signal, and the loop does not wait for it to notice), or earlier when the next backoff would end at
 *   or after the deadline. No attempt starts at or after the deadline.
 * - Rejects with `signal.reason` as soon as `signal` aborts, aborting the attempt in flight.
 *
 * The timers it arms (deadline, backoff) do not keep the process alive; they are cleared when it settles.
 *
 * @param attempt - one try; gets the attempt number, an abort signal and the time left
 * @param options - deadline, retry policy, clock and hooks
 */
export function retryWithBackoff<T>(
  attempt: (context: RetryAttemptContext) => Promise<T>,
  options: RetryWithBackoffOptions,
): Promise<T> {
  const { clock, isRetryable, backoff, signal, onAttemptFailed } = options;
  const random = options.random ?? Math.random;
  const deadlineAtMs = options.deadlineAtMs ?? Infinity;
  const maxAttempts = options.maxAttempts ?? Infinity;
  if (Number.isNaN(deadlineAtMs)) throw new RangeError('retryWithBackoff: deadlineAtMs must be a number');
  if (!(maxAttempts >= 1)) throw new RangeError('retryWithBackoff: maxAttempts must be at least 1');
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<T>((resolve, reject) => {
    const attemptController = new AbortController();
    const failures: RetryAttemptFailure[] = [];
    let attemptsStarted = 0;
    let running: { attempt: number; startedAtMs: number } | undefined;
    let deadlineTimer: TimerHandle | undefined;
    let sleepTimer: TimerHandle | undefined;
    let settled = false;

    const finish = (settle: () => void, abortReason?: unknown): void => {
      if (settled) return;
      settled = true;
      if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
      if (sleepTimer !== undefined) clock.clearTimeout(sleepTimer);
      signal?.removeEventListener('abort', onCallerAbort);
      if (abortReason !== undefined) attemptController.abort(abortReason);
      settle();
    };

    const giveUp = (reason: 'deadline' | 'attempts'): void => {
      const nowMs = clock.monotonicNow();
      const inFlight = running && { ...running, elapsedMs: nowMs - running.startedAtMs };
      const error = new RetriesExhaustedError(reason, failures, inFlight);
      finish(() => reject(error), inFlight === undefined ? undefined : error);
    };

    const onCallerAbort = (): void => {
      const reason: unknown = signal?.reason;
      finish(() => reject(reason), reason);
    };

    const armDeadline = (): void => {
      const leftMs = deadlineAtMs - clock.monotonicNow();
      if (leftMs <= 0) {
        giveUp('deadline');
        return;
      }
      // Timers cap at about 24.8 days; a longer deadline re-arms.
      deadlineTimer = clock.setTimeout(armDeadline, Math.min(Math.ceil(leftMs), MAX_TIMER_DELAY_MS));
    };

    const start = (): void => {
      sleepTimer = undefined;
      const startedAtMs = clock.monotonicNow();
      if (startedAtMs >= deadlineAtMs) {
        giveUp('deadline');
        return;
      }
      const number = attemptsStarted++;
      running = { attempt: number, startedAtMs };
      let pending: Promise<T>;
      try {
        pending = attempt({ attempt: number, signal: attemptController.signal, remainingMs: deadlineAtMs - startedAtMs });
      } catch (error) {
        pending = Promise.reject(error);
      }
      Promise.resolve(pending).then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => failed(number, startedAtMs, error),
      );
    };

    const failed = (number: number, startedAtMs: number, error: unknown): void => {
      if (settled) return;
      running = undefined;
      const nowMs = clock.monotonicNow();
      let retryable: boolean;
      try {
        retryable = isRetryable(error);
      } catch (hookError) {
        finish(() => reject(hookError));
        return;
      }
      let retryInMs: number | undefined;
      let limit: 'deadline' | 'attempts' | undefined;
      if (retryable) {
        // A failure at the deadline (e.g. a request timeout clipped to the time left) is the deadline's doing.
        if (nowMs >= deadlineAtMs) {
          limit = 'deadline';
        } else if (attemptsStarted >= maxAttempts) {
          limit = 'attempts';
        } else {
          const delayMs = options.retryDelayMs?.({ attempt: number, error }) ?? fullJitterDelayMs(number, backoff, random);
          if (nowMs + delayMs >= deadlineAtMs) limit = 'deadline';
          else retryInMs = delayMs;
        }
      }
      const failure: RetryAttemptFailure = { attempt: number, error, retryable, startedAtMs, elapsedMs: nowMs - startedAtMs, retryInMs };
      failures.push(failure);
      try {
        onAttemptFailed?.(failure);
      } catch (hookError) {
        finish(() => reject(hookError));
        return;
      }
      if (settled) return; // the hook may have aborted the caller's signal
      if (!retryable) {
        finish(() => reject(error));
        return;
      }
      if (limit !== undefined) {
        giveUp(limit);
        return;
      }
      sleepTimer = clock.setTimeout(start, retryInMs as number);
    };

    signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (deadlineAtMs !== Infinity) armDeadline();
    if (!settled) start();
  });
}
