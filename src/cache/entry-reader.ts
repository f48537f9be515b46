import { isExpired } from './expiry-policy.js';
import type { Deadline } from '../runtime/deadline.js';
import { sleepUntil, waitFor } from '../runtime/wait.js';
import { expiredError, keyRejectedError } from './cache-errors.js';
import type { EntryFetcher } from './entry-fetcher.js';
import { holdsBack } from './recovery-episode.js';
import { planForcedRefresh } from './recovery-policy.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import type { RefreshTrigger } from './secret-cache-events.js';
import type { ResolvedSecretCacheOptions } from './secret-cache-options.js';
import type { HeldValue, SecretEntry, SecretFetch } from './secret-entry.js';
import { isTooStale } from './staleness.js';

/** Per-call options of a read: the caller's abort signal and the call's one deadline. */
export interface EntryReadOptions {
  signal?: AbortSignal | undefined;
  deadline?: Deadline | undefined;
}

/** What the reader needs from its cache client. */
export interface EntryReaderHost {
  readonly options: ResolvedSecretCacheOptions;
  readonly fetcher: EntryFetcher;
  /** Aborted by close(). */
  readonly closeSignal: AbortSignal;
  isClosed(): boolean;
  closedError(secretName: string, cause?: unknown): SecretCacheError;
  callDeadline(): Deadline;
}

/**
 * The reading half of the cache: every wait of a caller for a servable value (the first load, a fetch that
 * may replace an expired or rejected key, an imminent attempt), each bounded by the call's one deadline,
 * ended by the caller's signal or by close(), and holding the process open while it lasts.
 */
export class EntryReader {
  constructor(private readonly host: EntryReaderHost) {}

  /**
   * Waits, within the call's deadline, until the entry holds a value that may be served (with `needsKey`: an
   * AccessKey that is not expired and not held back as rejected): joins a running fetch, starts the first
   * load, or fetches at the recovery pace. A failed first load fails fast afterwards.
   */
  async awaitServable(entry: SecretEntry, options: EntryReadOptions, needsKey: boolean): Promise<HeldValue> {
    const deadline = options.deadline ?? this.host.callDeadline();
    const signal = this.waitSignal(options.signal);
    for (;;) {
      if (this.host.isClosed()) throw this.host.closedError(entry.secretName);
      const state = entry.state;
      if (state.kind === 'unloaded') {
        await this.#joinOrThrowClosed(entry, this.host.fetcher.start(entry, 'load'), signal, deadline);
        continue;
      }
      if (state.kind === 'load-failed') {
        // Fail fast: a background retry is already armed; the first success serves the next call.
        if (entry.inFlight === undefined) throw state.error;
        await this.#joinOrThrowClosed(entry, entry.inFlight, signal, deadline);
        continue;
      }
      const { value } = state;
      const credential = value.credential;
      if (needsKey && credential === undefined) {
        // An AccessKey is wanted but the value is none (a field missing, or not JSON): it may be fixed in KMS
        // soon, so the background re-asks within the load-retry cap instead of waiting for the regular schedule.
        this.host.fetcher.retrySoon(entry);
        throw value.credentialError ?? this.host.closedError(entry.secretName);
      }
      if (isExpired(credential?.expiresAtMs, this.host.options.clock.now())) {
        await this.#recoveryStep(entry, signal, deadline, 'expiry', (cause) => expiredError(entry, cause));
        continue;
      }
      if (needsKey && entry.episode !== undefined && holdsBack(entry.episode, credential?.accessKeyId)) {
        entry.episode.lastDemandAtMonoMs = this.host.options.clock.monotonicNow();
        await this.#recoveryStep(entry, signal, deadline, 'recovery', (cause) => keyRejectedError(entry, cause));
        continue;
      }
      this.#checkServable(entry);
      return value;
    }
  }

  /**
   * One step towards a usable key while the held one cannot be served (expired, or held back as rejected):
   * join the running fetch, start one when the recovery pace allows, or wait for an attempt due within the
   * minimum interval. Throws `giveUp(reason)` when none of that fits in the deadline.
   */
  async #recoveryStep(
    entry: SecretEntry,
    signal: readonly AbortSignal[],
    deadline: Deadline,
    trigger: RefreshTrigger,
    giveUp: (cause: unknown) => unknown,
  ): Promise<void> {
    const { clock, recovery } = this.host.options;
    const nowMs = clock.monotonicNow();
    const step = planForcedRefresh({
      nowMs,
      heldKeyUsable: false,
      fetchRunning: entry.inFlight !== undefined,
      attemptDueAtMs: this.host.fetcher.attemptDueAt(entry, nowMs),
      holdMaxMs: recovery.minIntervalMs,
      throttled: entry.consecutiveThrottles > 0,
    });
    if (step.kind === 'paced' || (step.kind === 'hold' && step.dueAtMs >= deadline.atMs)) throw giveUp(entry.lastError);
    if (step.kind === 'hold') {
      await sleepUntil(step.dueAtMs, { clock, deadlineAtMs: deadline.atMs, signal });
      return;
    }
    const fetch = step.kind === 'join' ? (entry.inFlight as SecretFetch) : this.host.fetcher.start(entry, trigger);
    try {
      await this.join(entry, fetch, signal, deadline);
    } catch (error) {
      if (this.host.isClosed()) throw this.host.closedError(entry.secretName, error);
      if (signal.some((s) => s.aborted)) throw error;
      if (deadline.expired) throw giveUp(error);
      // The fetch failed: the pace now plans the next attempt; the loop decides whether to wait for it.
    }
  }

  /** A caller's bounded, process-holding wait for a fetch: until the fetch's deadline or the caller's, if sooner. */
  join(entry: SecretEntry, fetch: SecretFetch, signal: readonly AbortSignal[], deadline: Deadline): Promise<void> {
    return waitFor(fetch.done, {
      clock: this.host.options.clock,
      deadlineAtMs: Math.min(fetch.deadlineAtMs, deadline.atMs),
      onDeadline: () => this.host.fetcher.timeoutError(entry.secretName),
      signal,
    });
  }

  async #joinOrThrowClosed(entry: SecretEntry, fetch: SecretFetch, signal: readonly AbortSignal[], deadline: Deadline): Promise<void> {
    try {
      await this.join(entry, fetch, signal, deadline);
    } catch (error) {
      throw this.host.isClosed() ? this.host.closedError(entry.secretName, error) : error;
    }
  }

  /** The caller's signal combined with close(): a wait ends at once when either aborts. */
  waitSignal(signal: AbortSignal | undefined): readonly AbortSignal[] {
    const closeSignal = this.host.closeSignal;
    return signal === undefined ? [closeSignal] : [signal, closeSignal];
  }

  /** Throws when the value is too stale to serve; publishes `stale` once per failed refresh. */
  #checkServable(entry: SecretEntry): void {
    const state = entry.state;
    if (state.kind !== 'stale') return;
    if (this.tooStale(state.sinceMonoMs)) {
      const staleForMs = Math.round(this.host.options.clock.monotonicNow() - state.sinceMonoMs);
      throw new SecretCacheError(
        SecretCacheErrorCode.TooStale,
        `secret ${entry.secretName}: refreshing has failed for ${staleForMs} ms, longer than maxStalenessMs ` +
          `(${this.host.options.maxStalenessMs} ms); the last value is no longer served`,
        { secretName: entry.secretName, cause: entry.lastError },
      );
    }
    this.announceStale(entry);
  }

  tooStale(sinceMonoMs: number): boolean {
    return isTooStale(sinceMonoMs, this.host.options.clock.monotonicNow(), this.host.options.maxStalenessMs);
  }

  announceStale(entry: SecretEntry): void {
    const state = entry.state;
    if (state.kind !== 'stale' || state.announced) return;
    state.announced = true;
    this.host.fetcher.publishStale(entry, state.sinceMonoMs);
  }

}
