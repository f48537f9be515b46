import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider, RefreshNowOptions, RefreshOutcome } from '../credentials/credential-provider.js';
import { isRamUserAccessKeySecret } from '../credentials/is-ram-user-access-key-secret.js';
import { parseAccessKeyCredential } from '../credentials/parse-access-key-credential.js';
import { readSecretDataRefreshHints } from '../credentials/read-secret-data-refresh-hints.js';
import { SecretDataError } from '../credentials/secret-data-error.js';
import type { SecretInfo } from '../kms/secret-info.js';
import { fullJitterDelayMs } from '../runtime/backoff.js';
import { clampTimerDelay } from '../runtime/clock.js';
import { fingerprint } from '../runtime/fingerprint.js';
import { computeRefreshSchedule } from './refresh-schedule.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import {
  SECRET_CACHE_CHANNELS,
  type RefreshTrigger,
  type SecretCacheEvents,
} from './secret-cache-events.js';
import {
  resolveSecretCacheOptions,
  type ResolvedSecretCacheOptions,
  type SecretCacheClientOptions,
} from './secret-cache-options.js';
import { SecretEntry } from './secret-entry.js';
import type { SecretEntryStatus } from './secret-entry-status.js';
import { TokenBucket } from './token-bucket.js';
import { waitFor } from './wait-for.js';

const CHANNELS = {
  refresh: channel(SECRET_CACHE_CHANNELS.refresh),
  rotate: channel(SECRET_CACHE_CHANNELS.rotate),
  error: channel(SECRET_CACHE_CHANNELS.error),
  stale: channel(SECRET_CACHE_CHANNELS.stale),
};

let nextClientNumber = 1;

/** Per-call options of the reading methods. */
export interface SecretCacheReadOptions {
  /** Abandons this caller's wait; a fetch shared with other callers goes on. */
  signal?: AbortSignal;
}

/**
 * The rotation-aware secret cache: one entry per secret, fetched from a {@link SecretSource} and kept
 * current by a per-secret timer.
 *
 * - **First load** is awaited by the caller; concurrent callers share one fetch. A failed first load rejects
 *   them and leaves the entry ready for the next attempt.
 * - **Schedule**: rotating RAM AccessKeys are re-read shortly after `NextRotationDate`, at most every
 *   `rotationIntervalMs`; other secrets every `RefreshInterval` or `defaultTtlMs`. Jitter is drawn per refresh.
 * - **Failures**: the last good value keeps being served (`stale` event), retries back off exponentially with
 *   full jitter, and after `maxStalenessMs` (if set) reads fail fast with `SecretCache.TooStale`.
 * - **Forced refresh** (`refreshNow`): answered from the cache when it already holds another key than the
 *   rejected one, otherwise joins or starts one fetch, guarded by a per-secret token bucket.
 * - **Events** `refresh`, `rotate`, `error`, `stale` (an `error` without listener is dropped, never thrown), also
 *   published on the `node:diagnostics_channel` channels in `SECRET_CACHE_CHANNELS`.
 * - **Lifecycle**: timers are unref'd (through the injected clock); `close()` clears them, aborts fetches,
 *   optionally closes the source, and is idempotent. Later calls reject with `SecretCache.Closed`.
 *
 * `toString`, `toJSON` and `util.inspect` print a summary (names, key ids, fingerprints, states), never a
 * secret value.
 */
export class SecretCacheClient extends EventEmitter<SecretCacheEvents> implements CredentialProvider, AsyncDisposable {
  /** Distinguishes clients in diagnostics messages, e.g. `secret-cache-1`. */
  readonly id: string;
  readonly #options: ResolvedSecretCacheOptions;
  readonly #entries: LRUCache<string, SecretEntry>;
  /** Fetches still running, so close() can wait for them to let go of their sockets. */
  readonly #running = new Set<Promise<void>>();
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * @param options - the source and the schedule, backoff and budget knobs
   * @throws {@link SecretCacheError} `SecretCache.InvalidOption` naming the option
   */
  constructor(options: SecretCacheClientOptions) {
    super();
    this.#options = resolveSecretCacheOptions(options);
    this.id = `secret-cache-${nextClientNumber++}`;
    // lru-cache only bounds the entries; the schedule and single flight are ours (see refreshNow's outcomes).
    this.#entries = new LRUCache<string, SecretEntry>({
      max: this.#options.maxEntries,
      dispose: (entry) => this.#detach(entry),
    });
  }

  /** Whether {@link SecretCacheClient.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The current version of `secretName` (any secret type). The first call waits for the first load.
   *
   * @throws `KmsError` when the first load fails; {@link SecretCacheError} when closed or too stale
   */
  async getSecretInfo(secretName: string, options: SecretCacheReadOptions = {}): Promise<SecretInfo> {
    const entry = this.#entry(secretName);
    if (entry.info === undefined) await this.#ensureLoaded(entry, options.signal);
    this.#checkServable(entry);
    return entry.info as SecretInfo;
  }

  /**
   * The current AccessKey of a RAM-credential secret. The first call waits for the first load; later calls
   * return the cached key without I/O.
   *
   * @throws `KmsError` when the first load fails; `SecretDataError` when the SecretData is not an AccessKey;
   *   {@link SecretCacheError} when closed or too stale
   */
  async getCredential(secretName: string, options: SecretCacheReadOptions = {}): Promise<AccessKeyCredential> {
    const entry = this.#entry(secretName);
    if (entry.credential === undefined) {
      if (entry.info === undefined) await this.#ensureLoaded(entry, options.signal);
      if (entry.credential === undefined) throw entry.credentialError ?? this.#closedError(secretName);
    }
    this.#checkServable(entry);
    return entry.credential;
  }

  /**
   * The cached AccessKey of `secretName` without I/O: `undefined` before the first load, after the value
   * became too stale (`maxStalenessMs`), and after `close()`.
   */
  peekCredential(secretName: string): AccessKeyCredential | undefined {
    if (this.#closed) return undefined;
    const entry = this.#entries.get(secretName);
    if (entry?.credential === undefined) return undefined;
    if (entry.staleSinceMs !== undefined) {
      if (this.#tooStale(entry)) return undefined;
      this.#announceStale(entry);
    }
    return entry.credential;
  }

  /**
   * Forced refresh after an AccessKey was rejected (`InvalidAccessKeyId`).
   *
   * - `staleAccessKeyId` given and the cache already holds another key: that key, `via: 'cached'`, no KMS call.
   * - A fetch is running: joins it (`via: 'joined'`).
   * - Otherwise takes a token of the secret's budget and fetches (`via: 'fetched'`); without a token,
   *   returns the current key (`via: 'rate-limited'`).
   * - A failed fetch resolves with the last good key, `changed: false`, `via: 'failed'` and the `error`.
   *
   * `changed` is true when the AccessKeyId differs from `staleAccessKeyId`, or when the key material differs
   * from the key held before the call (same id, new secret or token); callers retry the rejected request only
   * when it is `true`. Before any key was loaded this behaves like
   * {@link SecretCacheClient.getCredential} (and rejects like it).
   */
  async refreshNow(secretName: string, options: RefreshNowOptions = {}): Promise<RefreshOutcome> {
    const entry = this.#entry(secretName);
    const { staleAccessKeyId, signal } = options;
    const before = entry.credential;
    // A new id means a new key; the same id with new material (a secret or STS token fixed in KMS) does too.
    const changedFrom = (credential: AccessKeyCredential): boolean =>
      (staleAccessKeyId !== undefined && credential.accessKeyId !== staleAccessKeyId) || !credential.sameKeyAs(before);

    if (before === undefined) {
      const via = entry.inFlight === undefined ? 'fetched' : 'joined';
      const credential = await this.getCredential(secretName, signal === undefined ? {} : { signal });
      return { credential, changed: changedFrom(credential), via };
    }
    if (staleAccessKeyId !== undefined && before.accessKeyId !== staleAccessKeyId) {
      return { credential: before, changed: true, via: 'cached' };
    }
    let run = entry.inFlight;
    let via: RefreshOutcome['via'] = 'joined';
    if (run === undefined) {
      if (!entry.forcedRefreshBudget.tryTake()) return { credential: before, changed: false, via: 'rate-limited' };
      run = this.#startRefresh(entry, 'forced');
      via = 'fetched';
    }
    try {
      await waitFor(run, signal);
    } catch (error) {
      if (this.#closed || signal?.aborted) throw error;
      const credential = entry.credential ?? before;
      return { credential, changed: false, via: 'failed', error };
    }
    const credential = entry.credential ?? before;
    return { credential, changed: changedFrom(credential), via };
  }

  /** A secret-free summary of one cached secret, or `undefined` if it is not cached. */
  getStatus(secretName: string): SecretEntryStatus | undefined {
    const entry = this.#entries.peek(secretName);
    return entry === undefined ? undefined : this.#status(entry);
  }

  /**
   * Stops everything: clears every timer, aborts running fetches (their callers reject with
   * `SecretCache.Closed`), waits for them to settle, and closes the source if `ownsSource`. Idempotent: every
   * call returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const running = [...this.#running];
    this.#entries.clear(); // dispose() detaches each entry: timer cleared, fetch aborted
    this.#closing = (async () => {
      await Promise.allSettled(running);
      if (this.#options.ownsSource) await this.#options.source.close?.();
    })();
    return this.#closing;
  }

  /** Same as {@link SecretCacheClient.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Secret-free summary: id, source, state of every secret. */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      source: this.#options.source.description,
      closed: this.#closed,
      // Least recently used first, so the order is stable while secrets are only read.
      secrets: [...this.#entries.rvalues()].flatMap((entry) => (entry === undefined ? [] : [this.#status(entry)])),
    };
  }

  /** `SecretCacheClient(secret-cache-1, source dkms(...), 2 secrets)`. */
  override toString(): string {
    return `SecretCacheClient(${this.id}, source ${this.#options.source.description}, ${this.#entries.size} secrets${this.#closed ? ', closed' : ''})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `SecretCacheClient ${inspect(this.toJSON(), options)}`;
  }

  // ------------------------------------------------------------------------------------------- entries

  #entry(secretName: string): SecretEntry {
    if (this.#closed) throw this.#closedError(secretName);
    if (typeof secretName !== 'string' || secretName.trim() === '') {
      throw new SecretCacheError(SecretCacheErrorCode.InvalidSecretName, 'secret name must be a non-empty string');
    }
    let entry = this.#entries.get(secretName);
    if (entry === undefined) {
      const { capacity, refillIntervalMs } = this.#options.forcedRefresh;
      entry = new SecretEntry(secretName, new TokenBucket({ capacity, refillIntervalMs, clock: this.#options.clock }));
      this.#entries.set(secretName, entry);
    }
    return entry;
  }

  async #ensureLoaded(entry: SecretEntry, signal: AbortSignal | undefined): Promise<void> {
    await waitFor(entry.inFlight ?? this.#startRefresh(entry, 'load'), signal);
    if (this.#closed) throw this.#closedError(entry.secretName);
  }

  /** Throws when the value is too stale to serve; publishes `stale` once per failed refresh. */
  #checkServable(entry: SecretEntry): void {
    if (entry.staleSinceMs === undefined) return;
    if (this.#tooStale(entry)) {
      const staleForMs = this.#options.clock.now() - entry.staleSinceMs;
      throw new SecretCacheError(
        SecretCacheErrorCode.TooStale,
        `secret ${entry.secretName}: refreshing has failed for ${staleForMs} ms, longer than maxStalenessMs ` +
          `(${this.#options.maxStalenessMs} ms); the last value is no longer served`,
        { secretName: entry.secretName, cause: entry.lastError },
      );
    }
    this.#announceStale(entry);
  }

  #tooStale(entry: SecretEntry): boolean {
    const { maxStalenessMs, clock } = this.#options;
    return entry.staleSinceMs !== undefined && maxStalenessMs > 0 && clock.now() - entry.staleSinceMs > maxStalenessMs;
  }

  #announceStale(entry: SecretEntry): void {
    if (entry.staleAnnounced || entry.staleSinceMs === undefined) return;
    entry.staleAnnounced = true;
    this.#publish('stale', {
      secretName: entry.secretName,
      accessKeyId: entry.credential?.accessKeyId,
      versionId: entry.info?.versionId,
      staleSinceMs: entry.staleSinceMs,
      lastError: entry.lastError,
    });
  }

  /** Called by lru-cache on eviction and on close: the entry must stop scheduling. */
  #detach(entry: SecretEntry): void {
    entry.detached = true;
    this.#cancelTimer(entry);
    // An evicted entry's fetch may still feed its waiters; only closing abandons it.
    if (this.#closed) entry.inFlightController?.abort(this.#closedError(entry.secretName));
  }

  // ------------------------------------------------------------------------------------------- fetching

  /** Starts the one fetch of `entry`; the returned promise is already handled, so nobody has to await it. */
  #startRefresh(entry: SecretEntry, trigger: RefreshTrigger): Promise<void> {
    this.#cancelTimer(entry);
    const controller = new AbortController();
    const run = this.#refresh(entry, trigger, controller.signal);
    entry.inFlight = run;
    entry.inFlightController = controller;
    this.#running.add(run);
    const settle = () => {
      this.#running.delete(run);
      if (entry.inFlight === run) {
        entry.inFlight = undefined;
        entry.inFlightController = undefined;
      }
    };
    run.then(settle, settle);
    return run;
  }

  async #refresh(entry: SecretEntry, trigger: RefreshTrigger, signal: AbortSignal): Promise<void> {
    const { source, versionStage, clock } = this.#options;
    const startedAtMs = clock.now();
    let info: SecretInfo;
    let credential: AccessKeyCredential | undefined;
    let credentialError: SecretDataError | undefined;
    try {
      info = await source.getSecretValue(
        { secretName: entry.secretName, fetchExtendedConfig: true, ...(versionStage === undefined ? {} : { versionStage }) },
        { signal },
      );
      if (this.#closed) throw this.#closedError(entry.secretName);
      try {
        credential = parseAccessKeyCredential(info);
      } catch (error) {
        // Data that stops being an AccessKey is a failed refresh (the last good key stays); a secret that
        // never was one (e.g. Generic) is simply cached for getSecretInfo.
        if (!(error instanceof SecretDataError) || entry.credential !== undefined || isRamUserAccessKeySecret(info)) throw error;
        credentialError = error;
      }
    } catch (error) {
      throw this.#onFailure(entry, trigger, error);
    }
    this.#onSuccess(entry, trigger, info, credential, credentialError, clock.now() - startedAtMs);
  }

  #onSuccess(
    entry: SecretEntry,
    trigger: RefreshTrigger,
    info: SecretInfo,
    credential: AccessKeyCredential | undefined,
    credentialError: SecretDataError | undefined,
    durationMs: number,
  ): void {
    const { clock, random, jitterMaxMs } = this.#options;
    const previousInfo = entry.info;
    const previous = entry.credential;
    const nowMs = clock.now();
    entry.info = info;
    entry.credential = credential;
    entry.credentialError = credentialError;
    entry.fetchedAtMs = nowMs;
    entry.consecutiveFailures = 0;
    entry.lastError = undefined;
    entry.staleSinceMs = undefined;
    entry.staleAnnounced = true;

    const hints = readSecretDataRefreshHints(info.secretData);
    const schedule = computeRefreshSchedule(
      {
        nowMs,
        rotatingAccessKey: isRamUserAccessKeySecret(info),
        nextRotationDateMs: info.nextRotationDateMs ?? hints.scheduleRotateTimestampMs,
        ttlMs: hints.refreshIntervalMs,
        // Drawn per refresh, so a fleet started together drifts apart instead of refreshing in lockstep.
        jitterMs: Math.min(jitterMaxMs, Math.max(0, Math.floor(random() * jitterMaxMs))),
      },
      this.#options,
    );
    this.#arm(entry, schedule.dueAtMs, 'scheduled');

    const changed =
      previousInfo === undefined ||
      (credential === undefined ? previousInfo.secretData !== info.secretData : !credential.sameKeyAs(previous));
    this.#publish('refresh', {
      secretName: entry.secretName,
      trigger,
      versionId: info.versionId,
      accessKeyId: credential?.accessKeyId,
      fingerprint: credential?.fingerprint ?? fingerprint(info.secretData),
      changed,
      durationMs,
      nextRefreshAtMs: schedule.dueAtMs,
      basis: schedule.basis,
    });
    if (previous !== undefined && credential !== undefined && previous.accessKeyId !== credential.accessKeyId) {
      this.#publish('rotate', {
        secretName: entry.secretName,
        trigger,
        previousAccessKeyId: previous.accessKeyId,
        accessKeyId: credential.accessKeyId,
        versionId: info.versionId,
      });
    }
  }

  /** Records a failed fetch, arms the backoff retry when a value is held, and returns what to reject with. */
  #onFailure(entry: SecretEntry, trigger: RefreshTrigger, error: unknown): unknown {
    if (this.#closed) {
      return error instanceof SecretCacheError && error.code === SecretCacheErrorCode.Closed
        ? error
        : this.#closedError(entry.secretName, error);
    }
    const { clock, backoff, random } = this.#options;
    entry.consecutiveFailures += 1;
    entry.lastError = error;
    let retryAtMs: number | undefined;
    if (entry.info !== undefined) {
      entry.staleSinceMs ??= clock.now();
      entry.staleAnnounced = false;
      retryAtMs = clock.now() + Math.max(1, fullJitterDelayMs(entry.consecutiveFailures - 1, backoff, random));
      this.#arm(entry, retryAtMs, 'retry');
      if (entry.detached) retryAtMs = undefined;
    }
    this.#publish('error', {
      secretName: entry.secretName,
      trigger,
      error,
      consecutiveFailures: entry.consecutiveFailures,
      servingStale: entry.info !== undefined,
      retryAtMs,
    });
    return error;
  }

  // ------------------------------------------------------------------------------------------- timers

  #arm(entry: SecretEntry, dueAtMs: number, trigger: RefreshTrigger): void {
    this.#cancelTimer(entry);
    if (this.#closed || entry.detached) return;
    const { clock } = this.#options;
    entry.dueAtMs = dueAtMs;
    entry.dueTrigger = trigger;
    entry.timer = clock.setTimeout(() => this.#onTimer(entry), clampTimerDelay(dueAtMs - clock.now()));
  }

  #onTimer(entry: SecretEntry): void {
    entry.timer = undefined;
    const dueAtMs = entry.dueAtMs;
    if (this.#closed || entry.detached || dueAtMs === undefined) return;
    if (dueAtMs > this.#options.clock.now()) {
      // Delays beyond 2^31-1 ms are served by several capped timers in a row.
      this.#arm(entry, dueAtMs, entry.dueTrigger);
      return;
    }
    entry.dueAtMs = undefined;
    if (entry.inFlight !== undefined) return; // that fetch arms the next timer when it ends
    void this.#startRefresh(entry, entry.dueTrigger);
  }

  #cancelTimer(entry: SecretEntry): void {
    if (entry.timer !== undefined) this.#options.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.dueAtMs = undefined;
  }

  // ------------------------------------------------------------------------------------------- reporting

  #publish<K extends keyof SecretCacheEvents>(name: K, payload: SecretCacheEvents[K][0]): void {
    const diagnostics = CHANNELS[name];
    if (diagnostics.hasSubscribers) diagnostics.publish({ ...payload, client: this.id });
    // An unobserved `error` would throw from EventEmitter; background work must never throw.
    if (name === 'error' && this.listenerCount('error') === 0) return;
    try {
      (this.emit as (event: string, payload: unknown) => boolean)(name, payload);
    } catch (error) {
      // A throwing listener must not break the refresh loop; surface it as a process warning instead.
      process.emitWarning(error instanceof Error ? error : new Error(`a "${name}" listener of ${this.id} threw`), {
        code: 'SECRET_CACHE_LISTENER_ERROR',
      });
    }
  }

  #status(entry: SecretEntry): SecretEntryStatus {
    const hasValue = entry.info !== undefined;
    const state = entry.inFlight !== undefined
      ? hasValue ? 'refreshing' : 'loading'
      : !hasValue
        ? entry.consecutiveFailures > 0 ? 'failed' : 'empty'
        : entry.staleSinceMs !== undefined ? 'stale' : 'fresh';
    const lastError = entry.consecutiveFailures > 0 ? entry.lastError : undefined;
    const lastErrorCode = typeof (lastError as { code?: unknown } | undefined)?.code === 'string'
      ? (lastError as { code: string }).code
      : lastError === undefined ? undefined : (lastError as Error).name ?? 'Error';
    return {
      secretName: entry.secretName,
      state,
      accessKeyId: entry.credential?.accessKeyId,
      fingerprint: entry.credential?.fingerprint ?? (entry.info === undefined ? undefined : fingerprint(entry.info.secretData)),
      versionId: entry.info?.versionId,
      fetchedAtMs: entry.fetchedAtMs,
      nextRefreshAtMs: entry.dueAtMs,
      consecutiveFailures: entry.consecutiveFailures,
      staleSinceMs: entry.staleSinceMs,
      lastErrorCode,
      forcedRefreshTokens: entry.forcedRefreshBudget.available,
    };
  }

  #closedError(secretName: string, cause?: unknown): SecretCacheError {
    return new SecretCacheError(
      SecretCacheErrorCode.Closed,
      `SecretCacheClient ${this.id} is closed; cannot serve secret ${secretName}`,
      cause === undefined ? { secretName } : { secretName, cause },
    );
  }
}
