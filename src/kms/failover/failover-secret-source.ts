import type { BackoffPolicy } from '../../runtime/backoff.js';
import { systemClock, type Clock, type RandomSource } from '../../runtime/clock.js';
import { RetriesExhaustedError, retryWithBackoff } from '../../runtime/retry-with-backoff.js';
import { sleepUntil, waitFor } from '../../runtime/wait.js';
import { fetchDeadlineAtMs, fetchTimeoutError } from '../fetch-timeout-error.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import type { SecretInfo } from '../secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../secret-source.js';
import { isRetryableError } from '../../errors/is-retryable-error.js';
import { DEFAULT_THROTTLE_PACING, isThrottlingError, ThrottlePacer, throttleHintsOf, type ThrottlePacing } from '../throttle-pacing.js';

/** Options of {@link FailoverSecretSource}. */
export interface FailoverSecretSourceOptions {
  /**
   * The sources in order of preference (the configuration order: KMS Agents, DKMS instances, then regions).
   * At least one. The failover source owns them: {@link FailoverSecretSource.close} closes them.
   */
  sources: readonly SecretSource[];
  /**
   * Budget of one `getSecretValue` across all sources, retries and failover, in ms (`fetch_timeout`); a
   * smaller per-call `timeoutMs` wins. When it runs out the call rejects with a retryable `KmsError`
   * `Kms.FetchTimeout` naming what each source met. Default 30 000.
   */
  deadlineMs?: number;
  /**
   * When the first source tried has not answered after this many ms, the others are tried as well (a slow
   * source is treated like a failing one, but its answer is still taken if it comes first). Default 3 000.
   */
  hedgeAfterMs?: number;
  /** Backoff between two tries of the same source (full jitter). Default `{ baseMs: 1_000, capMs: 10_000 }`. */
  backoff?: BackoffPolicy;
  /**
   * The wait after a throttled answer (HTTP 429 `Rejected.Throttling`), used instead of `backoff`: a short
   * spread that widens with the time this process has been throttled by that source (across calls, until a
   * success), floored by the answer's throttle hints. Default: the defaults listed on {@link ThrottlePacing}
   * (0.5 s to max(2 s, 2x the streak), cap 60 s).
   */
  throttlePacing?: ThrottlePacing;

  /**
   * After a less preferred source answered, calls start there; once this many ms have passed, the next
   * call starts with the preferred source again (re-probe). Default 1 800 000 (30 min).
   */
  reprobeAfterMs?: number;
  /** Time and timers. Default {@link systemClock}. */
  clock?: Clock;
  /** Jitter source. Default `Math.random`. */
  random?: RandomSource;
  /** For logs. Default `failover(<descriptions>)`. */
  description?: string;
}

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_HEDGE_AFTER_MS = 3_000;
const DEFAULT_REPROBE_AFTER_MS = 30 * 60_000;
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 10_000 };

/**
 * A {@link SecretSource} over several sources (KMS instances, regions) in preference order: the one retry
 * layer of the KMS path (the sources send one request per call; `secretSourceFromConfig` always builds a
 * group, even of one source).
 *
 * One call tries the healthy source first (initially the first configured one). A non-retryable error
 * there (missing secret, rejected signature, ...) is final: it does not fail over. On a retryable error,
 * or when that source is slow (`hedgeAfterMs`), every source is tried in parallel, each retrying with
 * full-jitter backoff (a throttled answer after the spread of that source's `ThrottlePacer`), and the first
 * success wins; the losers are aborted. A source that fails for good drops out, but the call keeps waiting
 * while any other source may still succeed, within one budget (`deadlineMs`, or the call's smaller
 * `timeoutMs`) shared by all sources: each request is given the time left as its `timeoutMs`, no backoff
 * sleeps past the deadline, and at the deadline the requests in flight are aborted and the call rejects with
 * a retryable `KmsError` `Kms.FetchTimeout` whose message names every source and what it met (refused, timed
 * out, HTTP status and code, throttled, no answer yet, not tried) and whose `cause` is the KMS-side reason
 * (the most telling last error: throttled, else another answer from KMS, else the network failure).
 * The winner becomes the healthy source for the next calls; the preferred source is re-probed after
 * `reprobeAfterMs`. With `isKnownRejected` (the cache passes it while it knows rejected keys), an answer known
 * rejected does not end the call: the other sources are asked too, and it is the answer only when none brings
 * another (then also at the deadline); the source that brings another does not become the healthy one.
 * Order is the configured order; there is no latency probing (no ICMP).
 *
 * Every wait of a call (retry sleeps, the hedge, the deadline) goes through the one wait helper and keeps
 * the process alive while a caller awaits the call, so a script that only awaits `getSecretValue` does not
 * exit with it pending; a background caller passes `keepAlive: false`.
 */
export class FailoverSecretSource implements SecretSource {
  readonly description: string;
  /** Who answers: the members' common {@link SecretSource.servedBy}, else `KMS`. */
  readonly servedBy: string | undefined;
  private readonly sources: readonly SecretSource[];
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly deadlineMs: number;
  private readonly hedgeAfterMs: number;
  private readonly reprobeAfterMs: number;
  private readonly backoff: BackoffPolicy;
  /** One per source: the throttled answers this process met there, across calls. */
  private readonly pacers: readonly ThrottlePacer[];
  private healthyIndex = 0;
  private reprobeAtMs = 0;
  /** Cancels each call in flight (close()). */
  private readonly activeCalls = new Set<(reason: unknown) => void>();
  private closing: Promise<void> | undefined;

  /** @param options - the sources and the timing policy */
  constructor(options: FailoverSecretSourceOptions) {
    if (options.sources.length === 0) {
      throw new KmsError('FailoverSecretSource needs at least one source', { code: KmsErrorCode.InvalidOptions, retryable: false });
    }
    this.sources = [...options.sources];
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.deadlineMs = nonNegative('deadlineMs', options.deadlineMs ?? DEFAULT_DEADLINE_MS);
    this.hedgeAfterMs = nonNegative('hedgeAfterMs', options.hedgeAfterMs ?? DEFAULT_HEDGE_AFTER_MS);
    this.reprobeAfterMs = nonNegative('reprobeAfterMs', options.reprobeAfterMs ?? DEFAULT_REPROBE_AFTER_MS);
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.backoff = { baseMs: nonNegative('backoff.baseMs', backoff.baseMs), capMs: nonNegative('backoff.capMs', backoff.capMs) };
    const pacing = options.throttlePacing ?? DEFAULT_THROTTLE_PACING;
    this.pacers = this.sources.map(() => new ThrottlePacer(pacing));
    this.description = options.description ?? `failover(${this.sources.map((s) => s.description).join(', ')})`;
    // One name when every member is the same kind; a mixed group falls back to KMS (its direct sources had the last word).
    const served = new Set(this.sources.map((s) => s.servedBy ?? 'KMS'));
    this.servedBy = served.size === 1 ? [...served][0] : 'KMS';
  }

  /** Index (in configuration order) of the source the next call starts with, re-probe aside. */
  get healthySourceIndex(): number {
    return this.healthyIndex;
  }

  /**
   * Fetches the secret from the first source that can deliver it; see the class description. The call's
   * budget is `deadlineMs`, or `options.timeoutMs` when that is smaller. Awaiting it keeps the process alive
   * until it settles (its retry sleeps, hedge and deadline), unless `options.keepAlive` is `false`.
   */
  getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    if (this.closing) {
      return Promise.reject(
        new KmsError(`${this.description} is closed`, { code: KmsErrorCode.SourceClosed, retryable: false, source: this.description }),
      );
    }
    const { signal } = options;
    const startedAtMs = this.clock.monotonicNow();
    let deadlineAtMs: number;
    try {
      deadlineAtMs = Math.min(startedAtMs + this.deadlineMs, fetchDeadlineAtMs(startedAtMs, options.timeoutMs, this.description) ?? Infinity);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    const reprobe = this.healthyIndex !== 0 && startedAtMs >= this.reprobeAtMs;
    const call: FailoverCall = {
      request,
      startIndex: reprobe ? 0 : this.healthyIndex,
      startedAtMs,
      deadlineAtMs,
      keepAlive: options.keepAlive !== false,
      ...(options.isKnownRejected === undefined ? {} : { isKnownRejected: options.isKnownRejected }),
      knownRejectedAnswer: undefined,
      // Aborted when the call ends, however it ends: stops every request, retry sleep and the hedge timer.
      stop: new AbortController(),
      histories: this.sources.map(() => ({ errors: [], inFlightSinceMs: undefined, lastFailedAtMs: undefined })),
    };
    const cancel = (reason: unknown) => call.stop.abort(reason);
    this.activeCalls.add(cancel);
    // The one wait of the call: the race, bounded by the deadline and the caller's signal.
    return waitFor(this.race(call), {
      clock: this.clock,
      deadlineAtMs,
      signal,
      keepAlive: call.keepAlive,
      onDeadline: () => this.timeoutError(call),
    }).then(
      (info) => {
        this.activeCalls.delete(cancel);
        call.stop.abort(new KmsError('another source answered first', { code: KmsErrorCode.Superseded, retryable: false }));
        return info;
      },
      (error: unknown) => {
        this.activeCalls.delete(cancel);
        call.stop.abort(error);
        // At the deadline, an answer known rejected is still KMS's word (better than no answer); an abort or
        // close() is not overridden.
        const answer = call.knownRejectedAnswer;
        if (answer !== undefined && !signal?.aborted && this.closing === undefined) return answer;
        throw error;
      },
    );
  }

  /** Aborts calls in flight and closes every source. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const closed = new KmsError(`${this.description} was closed during the call`, {
        code: KmsErrorCode.SourceClosed,
        retryable: false,
        source: this.description,
      });
      for (const cancel of [...this.activeCalls]) cancel(closed);
      await Promise.allSettled(this.sources.map(async (source) => source.close?.()));
    })();
    return this.closing;
  }

  /**
   * Runs the sources for one call: settles with the first success, the final error, or an early
   * `Kms.FetchTimeout` when no source can try again before the deadline; rejects with the reason when
   * `call.stop` aborts (close()). The deadline itself and the caller's signal are the business of the wait
   * around it.
   */
  private race(call: FailoverCall): Promise<SecretInfo> {
    const { clock, sources } = this;
    const { request, startIndex, deadlineAtMs, keepAlive, stop, histories } = call;
    return new Promise<SecretInfo>((resolve, reject) => {
      const running = new Set<number>();
      /** Sources that ended for this call (a final error, or an answer known rejected): never launched again. */
      const done = new Set<number>();
      let escalated = false;
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        stop.signal.removeEventListener('abort', onStop);
        settle();
      };
      const onStop = () => finish(() => reject(stop.signal.reason));

      const launch = (index: number) => {
        const source = sources[index] as SecretSource;
        const history = histories[index] as SourceHistory;
        running.add(index);
        const pacer = this.pacers[index] as ThrottlePacer;
        // Each source is tried at once, then again after a backoff for every retryable failure; a throttled
        // answer (a shared quota exhausted, often by a whole fleet) is retried after the source's pacer spread.
        retryWithBackoff(
          ({ signal: attemptSignal, remainingMs }) => {
            history.inFlightSinceMs = clock.monotonicNow();
            return source.getSecretValue(request, { signal: attemptSignal, timeoutMs: remainingMs, keepAlive });
          },
          {
            clock,
            random: this.random,
            backoff: this.backoff,
            deadlineAtMs,
            keepAlive,
            isRetryable: isRetryableError,
            retryDelayMs: ({ error }) => (isThrottlingError(error) ? pacer.onThrottled(clock.monotonicNow(), this.random(), throttleHintsOf(error)) : undefined),
            signal: stop.signal,
            onAttemptFailed: (failure) => {
              history.inFlightSinceMs = undefined;
              history.errors.push(failure.error);
              history.lastFailedAtMs = clock.monotonicNow();
              if (failure.retryable) escalate();
            },
          },
        ).then(
          (info) => {
            pacer.onSuccess();
            if (settled) return;
            running.delete(index);
            if (call.isKnownRejected !== undefined && rejectedAnswer(info)) {
              // Still the key known rejected (an agent serving its cache until its TTL ends): ask the other
              // sources before settling for it; it is the answer when none brings another.
              const first = (call.knownRejectedAnswer ??= info);
              done.add(index);
              escalate();
              if (running.size === 0) finish(() => resolve(first));
              return;
            }
            // A source that answered only because another one served a rejected key does not become the healthy one.
            if (call.knownRejectedAnswer === undefined) this.recordSuccess(index);
            finish(() => resolve(info));
          },
          (error: unknown) => {
            if (settled) return;
            running.delete(index);
            done.add(index);
            const settleFor = call.knownRejectedAnswer;
            if (settleFor !== undefined) {
              if (running.size === 0) finish(() => resolve(settleFor));
              return;
            }
            if (error instanceof RetriesExhaustedError) {
              // Out of time (its next backoff would end past the deadline): the call times out once no other
              // source is still trying.
              if (running.size === 0) finish(() => reject(this.timeoutError(call)));
              return;
            }
            // A final error. On the first source before any failover: report it as is (no failover).
            if (!escalated || running.size === 0) finish(() => reject(this.finalError(startIndex, histories)));
          },
        );
      };

      const escalate = () => {
        if (escalated || settled) return;
        escalated = true;
        for (let index = 0; index < sources.length; index++) if (!running.has(index) && !done.has(index)) launch(index);
      };
      const rejectedAnswer = (info: SecretInfo): boolean => {
        try {
          return call.isKnownRejected?.(info) === true;
        } catch {
          return false; // a faulty predicate must not lose an answer
        }
      };

      if (stop.signal.aborted) return onStop();
      stop.signal.addEventListener('abort', onStop, { once: true });
      if (sources.length > 1) {
        sleepUntil(call.startedAtMs + this.hedgeAfterMs, { clock, signal: stop.signal, keepAlive }).then(escalate, () => undefined);
      }
      launch(startIndex);
    });
  }

  private recordSuccess(index: number): void {
    if (index === 0) {
      this.healthyIndex = 0;
      return;
    }
    const nowMs = this.clock.monotonicNow();
    // A new fallback, or a failed re-probe of the preferred source: wait a full period before the next probe.
    if (index !== this.healthyIndex || nowMs >= this.reprobeAtMs) this.reprobeAtMs = nowMs + this.reprobeAfterMs;
    this.healthyIndex = index;
  }

  /** Every source failed for good: the error of the source tried first, else the most preferred one's. */
  private finalError(startIndex: number, histories: readonly { errors: unknown[] }[]): unknown {
    const last = (index: number) => histories[index]?.errors.at(-1);
    if (last(startIndex) !== undefined) return last(startIndex);
    for (let index = 0; index < this.sources.length; index++) if (last(index) !== undefined) return last(index);
    return undefined;
  }

  private timeoutError(call: FailoverCall): KmsError {
    const nowMs = this.clock.monotonicNow();
    return fetchTimeoutError({
      secretName: call.request.secretName,
      budgetMs: call.deadlineAtMs - call.startedAtMs,
      source: this.description,
      histories: call.histories.map((history, index) => ({
        source: (this.sources[index] as SecretSource).description,
        errors: history.errors,
        inFlightMs: history.inFlightSinceMs === undefined ? undefined : nowMs - history.inFlightSinceMs,
        lastFailedAtMs: history.lastFailedAtMs,
      })),
    });
  }
}

/** What one source did so far in a call, for the `Kms.FetchTimeout` message and its `cause`. */
interface SourceHistory {
  errors: unknown[];
  inFlightSinceMs: number | undefined;
  lastFailedAtMs: number | undefined;
}

/** The state of one `getSecretValue` call of a {@link FailoverSecretSource}. */
interface FailoverCall {
  readonly request: GetSecretValueRequest;
  /** The source tried first. */
  readonly startIndex: number;
  readonly startedAtMs: number;
  readonly deadlineAtMs: number;
  readonly keepAlive: boolean;
  /** The caller's {@link GetSecretValueOptions.isKnownRejected}. */
  readonly isKnownRejected?: (info: SecretInfo) => boolean;
  /** The first answer known rejected: the call's answer when no other source brings another. */
  knownRejectedAnswer: SecretInfo | undefined;
  /** Aborted when the call ends (with its outcome's error, or `Superseded` after a success) or by close(). */
  readonly stop: AbortController;
  readonly histories: SourceHistory[];
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new KmsError(`FailoverSecretSource option ${name} must be a finite number >= 0`, { code: KmsErrorCode.InvalidOptions, retryable: false });
  }
  return value;
}
