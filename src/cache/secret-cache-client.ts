import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider, RefreshNowOptions, RefreshOutcome } from '../credentials/credential-provider.js';
import { isRamUserAccessKeySecret } from '../credentials/is-ram-user-access-key-secret.js';
import { parseAccessKeyCredential } from '../credentials/parse-access-key-credential.js';
import { readSecretDataRefreshHints } from '../credentials/read-secret-data-refresh-hints.js';
import { SecretDataError } from '../credentials/secret-data-error.js';
import { isRetryableError } from '../errors/is-retryable-error.js';
import { KmsError, KmsErrorCode } from '../kms/kms-error.js';
import { isThrottlingError, throttledRetryDelayMs } from '../kms/throttle-pacing.js';
import type { SecretInfo } from '../kms/secret-info.js';
import { fullJitterDelayMs } from '../runtime/backoff.js';
import { fingerprint } from '../runtime/fingerprint.js';
import { publishCacheEvent } from './cache-event-publisher.js';
import { EntryTimer } from './entry-timer.js';
import { isExpired, refreshBeforeExpiry } from './expiry-policy.js';
import { keyChanged } from './key-changed.js';
import { nextRecoveryAttempt, planForcedRefresh } from './recovery-policy.js';
import { computeRefreshSchedule, type RefreshBasis } from './refresh-schedule.js';
import { renderEntryStatus, wallTimeOf } from './render-entry-status.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import type { RefreshTrigger, SecretCacheEvents } from './secret-cache-events.js';
import {
  resolveSecretCacheOptions,
  SECRET_CACHE_DEFAULTS,
  type ResolvedSecretCacheOptions,
  type SecretCacheClientOptions,
} from './secret-cache-options.js';
import { SecretEntry, type SecretFetch } from './secret-entry.js';
import type { SecretEntryStatus } from './secret-entry-status.js';
import { isTooStale } from './staleness.js';
import { untilAborted } from '../runtime/until-aborted.js';
import { holdUntil, waitForFetch } from './wait-for-fetch.js';

let nextClientNumber = 1;
/** Logical clock ordering fetch starts and rejection marks exactly (two can share one millisecond). */
let nextSequence = 1;

/** Without new reports of a rejected key for this long, the background re-asking stops (the next report restarts it). */
const RECOVERY_IDLE_STOP_MS = 5 * 60 * 1000;
/** Most rounds of one forced refresh (join, hold, follow-up fetch...), so it always answers. */
const MAX_FORCED_REFRESH_ROUNDS = 5;

/** Per-call options of the reading methods. */
export interface SecretCacheReadOptions {
  /** Abandons this caller's wait; a fetch shared with other callers goes on. */
  signal?: AbortSignal;
}

/**
 * The rotation-aware secret cache: one entry per secret, fetched from a {@link SecretSource} and kept
 * current by a per-secret timer.
 *
 * - **First load** is awaited by the caller; concurrent callers share one fetch, bounded by `fetchTimeoutMs`.
 *   A failed first load rejects its callers; later callers fail fast with that error while a background retry
 *   (full-jitter backoff, at most 30 s apart) heals the entry; the first success serves the next call.
 * - **Schedule**: rotating RAM AccessKeys are re-read shortly after `NextRotationDate`, at most every
 *   `rotationIntervalMs`; other secrets every `RefreshInterval` or `defaultTtlMs`; a credential with
 *   `ExpireTimestamp` ahead of expiry, and never served past it while KMS can be asked. Jitter per refresh.
 * - **Failures**: the last good value keeps being served (`stale` event), retries back off exponentially with
 *   full jitter, and after `maxStalenessMs` (if set) reads fail fast with `SecretCache.TooStale`.
 * - **Rejected keys** (`refreshNow`): the cache remembers which AccessKeyIds OSS rejected. It answers with a held
 *   key that is not rejected, joins a running fetch, or fetches; while KMS keeps serving a rejected key it asks
 *   again with backoff (about 1 s growing to 30 s), one fetch at a time and never sooner than
 *   `recovery.minIntervalMs` after the last answer. Nothing locks recovery out.
 * - **Events** `refresh`, `rotate`, `error`, `stale`, `reject` (an `error` without listener is dropped, never
 *   thrown), also published on the `node:diagnostics_channel` channels in `SECRET_CACHE_CHANNELS`.
 * - **Lifecycle**: background timers are unref'd; a caller's wait keeps the process alive until it ends.
 *   `close()` clears the timers, aborts fetches, optionally closes the source, and is idempotent. Later calls
 *   reject with `SecretCache.Closed`. Delays are measured on the monotonic clock.
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
   * @param options - the source and the schedule, backoff and recovery knobs
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
   * @throws `KmsError` when the first load fails; {@link SecretCacheError} when closed, too stale or expired
   */
  async getSecretInfo(secretName: string, options: SecretCacheReadOptions = {}): Promise<SecretInfo> {
    const entry = this.#entry(secretName);
    if (entry.info === undefined || this.#expired(entry)) await this.#awaitUsable(entry, options.signal);
    this.#checkServable(entry);
    return entry.info as SecretInfo;
  }

  /**
   * The current AccessKey of a RAM-credential secret. The first call waits for the first load; later calls
   * return the cached key without I/O (unless it is past its `ExpireTimestamp`).
   *
   * @throws `KmsError` when the first load fails; `SecretDataError` when the SecretData is not an AccessKey;
   *   {@link SecretCacheError} when closed, too stale or expired
   */
  async getCredential(secretName: string, options: SecretCacheReadOptions = {}): Promise<AccessKeyCredential> {
    const entry = this.#entry(secretName);
    if (this.#doomed(entry)) await this.#awaitRunningRefresh(entry, options.signal);
    if (entry.credential === undefined || this.#expired(entry)) {
      if (entry.info === undefined || this.#expired(entry)) await this.#awaitUsable(entry, options.signal);
      if (entry.credential === undefined) throw entry.credentialError ?? this.#closedError(secretName);
    }
    this.#checkServable(entry);
    return entry.credential;
  }

  /**
   * The cached AccessKey of `secretName` without I/O: `undefined` before the first load, past its
   * `ExpireTimestamp`, while the key is known rejected and its replacement is being fetched (then
   * {@link SecretCacheClient.getCredential} waits for that fetch), after the value became too stale
   * (`maxStalenessMs`), and after `close()`.
   */
  peekCredential(secretName: string): AccessKeyCredential | undefined {
    if (this.#closed) return undefined;
    const entry = this.#entries.get(secretName);
    const credential = entry?.credential;
    if (entry === undefined || credential === undefined) return undefined;
    if (credential.expiresAtMs !== undefined && this.#options.clock.now() >= credential.expiresAtMs) return undefined;
    // A key OSS rejected while its replacement is being fetched: the caller waits (getCredential) instead.
    if (entry.inFlight !== undefined && entry.rejected.size > 0 && entry.rejected.has(credential.accessKeyId)) return undefined;
    if (entry.staleSinceMonoMs !== undefined) {
      if (this.#tooStale(entry)) return undefined;
      this.#announceStale(entry);
    }
    return credential;
  }

  /**
   * Forced refresh after OSS rejected an AccessKey. The rejected id is remembered (unless `suspected`), then:
   *
   * - the cache holds another key that is not known rejected: that key, `via: 'cached'`, no KMS call;
   * - a fetch is running: joins it (`via: 'joined'`); if it returns the rejected key but was sent before the
   *   rejection, one more fetch follows;
   * - otherwise fetches (`via: 'fetched'`) when the recovery pace allows it, waits for an attempt due within
   *   `recovery.minIntervalMs`, or answers at once with the held key (`via: 'paced'`, `retryAtMs`);
   * - a failed fetch resolves with the last good key, `changed: false`, `via: 'failed'` and the `error`.
   *
   * `changed` follows one rule (another key not known rejected, or the same id with new material); callers
   * retry the rejected request only when it is `true`. Before any key was loaded this behaves like
   * {@link SecretCacheClient.getCredential} (and rejects like it).
   */
  async refreshNow(secretName: string, options: RefreshNowOptions = {}): Promise<RefreshOutcome> {
    const entry = this.#entry(secretName);
    const { signal, suspected = false } = options;
    const before = entry.credential;
    if (before === undefined) {
      const via = entry.inFlight === undefined ? 'fetched' : 'joined';
      const credential = await this.getCredential(secretName, signal === undefined ? {} : { signal });
      return { credential, changed: keyChanged(options.staleAccessKeyId, undefined, credential, entry.rejected.ids), via };
    }
    const rejectedId = options.staleAccessKeyId ?? before.accessKeyId;
    this.#noteRejection(entry, rejectedId, suspected);
    const { clock, recovery, fetchTimeoutMs } = this.#options;
    // One deadline for the whole call, however many rounds (join, hold, follow-up) it takes.
    const deadlineAtMs = clock.monotonicNow() + fetchTimeoutMs;
    let via: RefreshOutcome['via'] = 'cached';
    /** A throttled fetch this caller waited for: it waits for the next attempt if that is due before its deadline. */
    let throttledBy: unknown;
    for (let round = 0; round < MAX_FORCED_REFRESH_ROUNDS; round++) {
      const held = entry.credential ?? before;
      const nowMs = clock.monotonicNow();
      const step = planForcedRefresh({
        nowMs,
        heldKeyUsable: keyChanged(rejectedId, before, held, entry.rejected.ids),
        fetchRunning: entry.inFlight !== undefined,
        attemptDueAtMs: this.#attemptDueAt(entry, nowMs),
        holdMaxMs: recovery.minIntervalMs,
        throttled: !suspected && entry.consecutiveThrottles > 0,
      });
      if (step.kind === 'cached') break;
      // A mere suspicion (403 without code) never makes a caller wait for a paced attempt; nor does one past the deadline.
      if (step.kind === 'paced' || (step.kind === 'hold' && (suspected || step.dueAtMs >= deadlineAtMs))) {
        if (throttledBy !== undefined) return { credential: held, changed: false, via: 'failed', error: throttledBy };
        return { credential: held, changed: false, via: 'paced', retryAtMs: wallTimeOf(step.dueAtMs, clock) };
      }
      try {
        if (step.kind === 'hold') {
          await holdUntil(step.dueAtMs, clock, signal);
          if (this.#closed) throw this.#closedError(secretName);
          continue;
        }
        const fetch = step.kind === 'join' ? (entry.inFlight as SecretFetch) : this.#startFetch(entry, 'forced');
        if (via === 'cached') via = step.kind === 'join' ? 'joined' : 'fetched';
        await this.#join(entry, fetch, signal, deadlineAtMs);
        // An answer to a request sent after the rejection is KMS's word; only an older one earns a follow-up.
        const markedAt = entry.rejected.markedAt(rejectedId);
        if (markedAt === undefined || fetch.sequence > markedAt) break;
      } catch (error) {
        if (this.#closed || signal?.aborted) throw error;
        // Throttled: KMS is up, the quota is busy; the next round waits for the next attempt within the deadline.
        if (!suspected && isThrottlingError(error)) {
          throttledBy = error;
          continue;
        }
        return { credential: entry.credential ?? before, changed: false, via: 'failed', error };
      }
    }
    const credential = entry.credential ?? before;
    const changed = keyChanged(rejectedId, before, credential, entry.rejected.ids);
    if (!changed && throttledBy !== undefined) return { credential, changed, via: 'failed', error: throttledBy };
    return { credential, changed, via };
  }

  /**
   * A request signed with `accessKeyId` succeeded: forget its rejection (OSS can accept a new key seconds
   * late) and stop recovering. Cheap; a no-op for unknown secrets and keys.
   */
  reportKeyAccepted(secretName: string, accessKeyId: string): void {
    if (this.#closed) return;
    const entry = this.#entries.peek(secretName);
    if (entry === undefined) return;
    const wasRejected = entry.rejected.clear(accessKeyId);
    if (entry.credential?.accessKeyId !== accessKeyId) return;
    if (!wasRejected && !entry.recovery.suspected && entry.recovery.confirmations === 0) return;
    entry.recovery = { confirmations: 0, lastDemandAtMs: undefined, suspected: false };
    entry.attemptDueAtMonoMs = undefined;
    if (entry.inFlight === undefined) this.#armNext(entry);
  }

  /** A secret-free summary of one cached secret, or `undefined` if it is not cached. */
  getStatus(secretName: string): SecretEntryStatus | undefined {
    const entry = this.#entries.peek(secretName);
    return entry === undefined ? undefined : renderEntryStatus(entry, this.#needsRecovery(entry), this.#options.clock);
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
      secrets: [...this.#entries.rvalues()].flatMap((entry) =>
        entry === undefined ? [] : [renderEntryStatus(entry, this.#needsRecovery(entry), this.#options.clock)],
      ),
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
      const created = new SecretEntry(
        secretName,
        new EntryTimer<RefreshTrigger>(this.#options.clock, (trigger) => this.#onTimer(created, trigger)),
      );
      entry = created;
      this.#entries.set(secretName, entry);
    }
    return entry;
  }

  /**
   * Waits until the entry holds a value that may be served: joins a running fetch, starts the first load, or
   * (past `ExpireTimestamp`) fetches at the recovery pace. A failed first load fails fast afterwards.
   */
  async #awaitUsable(entry: SecretEntry, signal: AbortSignal | undefined): Promise<void> {
    const { clock, recovery, fetchTimeoutMs } = this.#options;
    const deadlineAtMs = clock.monotonicNow() + fetchTimeoutMs;
    for (let round = 0; round < MAX_FORCED_REFRESH_ROUNDS; round++) {
      if (entry.inFlight !== undefined) {
        await this.#join(entry, entry.inFlight, signal, deadlineAtMs);
      } else if (entry.info === undefined) {
        // Fail fast: a background retry is already armed; the first success serves the next call.
        if (entry.loadFailed) throw entry.lastError;
        await this.#join(entry, this.#startFetch(entry, 'load'), signal, deadlineAtMs);
      } else if (this.#expired(entry)) {
        const nowMs = clock.monotonicNow();
        const step = planForcedRefresh({
          nowMs,
          heldKeyUsable: false,
          fetchRunning: false,
          attemptDueAtMs: this.#attemptDueAt(entry, nowMs),
          holdMaxMs: recovery.minIntervalMs,
        });
        if (step.kind === 'paced' || (step.kind === 'hold' && step.dueAtMs >= deadlineAtMs)) throw this.#expiredError(entry);
        if (step.kind === 'hold') await holdUntil(step.dueAtMs, clock, signal);
        else await this.#join(entry, this.#startFetch(entry, 'expiry'), signal, deadlineAtMs);
      } else {
        return;
      }
      if (this.#closed) throw this.#closedError(entry.secretName);
    }
    if (entry.info === undefined && entry.loadFailed) throw entry.lastError;
    if (this.#expired(entry)) throw this.#expiredError(entry);
  }

  /** A caller's bounded, process-holding wait for a fetch: until the fetch's deadline or the caller's, if sooner. */
  #join(entry: SecretEntry, fetch: SecretFetch, signal: AbortSignal | undefined, callerDeadlineAtMs: number): Promise<void> {
    return waitForFetch(fetch.done, {
      clock: this.#options.clock,
      deadlineAtMs: Math.min(fetch.deadlineAtMs, callerDeadlineAtMs),
      onDeadline: () => this.#timeoutError(entry.secretName),
      signal,
    });
  }

  /** The held key is known rejected and a fetch that may replace it is running: requests signed now are doomed. */
  #doomed(entry: SecretEntry): boolean {
    const held = entry.credential;
    return entry.inFlight !== undefined && held !== undefined && entry.rejected.has(held.accessKeyId);
  }

  /**
   * Holds a caller while the running fetch may replace a rejected key (bounded by that fetch's deadline). Only
   * while it runs: if it fails or returns a key still marked rejected, the call goes out with what is held (the
   * mark may be stale: OSS can accept a new key seconds late), so a hold never waits for a key that never comes.
   */
  async #awaitRunningRefresh(entry: SecretEntry, signal: AbortSignal | undefined): Promise<void> {
    const fetch = entry.inFlight as SecretFetch;
    try {
      await this.#join(entry, fetch, signal, fetch.deadlineAtMs);
    } catch (error) {
      if (this.#closed || signal?.aborted) throw error;
    }
  }

  #expired(entry: SecretEntry): boolean {
    return isExpired(entry.credential?.expiresAtMs, this.#options.clock.now());
  }

  /** Throws when the value is too stale to serve; publishes `stale` once per failed refresh. */
  #checkServable(entry: SecretEntry): void {
    if (entry.staleSinceMonoMs === undefined) return;
    if (this.#tooStale(entry)) {
      const staleForMs = Math.round(this.#options.clock.monotonicNow() - entry.staleSinceMonoMs);
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
    return isTooStale(entry.staleSinceMonoMs, this.#options.clock.monotonicNow(), this.#options.maxStalenessMs);
  }

  #announceStale(entry: SecretEntry): void {
    if (entry.staleAnnounced || entry.staleSinceMonoMs === undefined) return;
    entry.staleAnnounced = true;
    this.#publish('stale', {
      secretName: entry.secretName,
      accessKeyId: entry.credential?.accessKeyId,
      versionId: entry.info?.versionId,
      staleSinceMs: wallTimeOf(entry.staleSinceMonoMs, this.#options.clock),
      lastError: entry.lastError,
    });
  }

  /** Called by lru-cache on eviction and on close: the entry must stop scheduling. */
  #detach(entry: SecretEntry): void {
    entry.detached = true;
    entry.timer.cancel();
    // An evicted entry's fetch may still feed its waiters; only closing abandons it.
    if (this.#closed) entry.inFlight?.controller.abort(this.#closedError(entry.secretName));
  }

  // ------------------------------------------------------------------------------------------- recovery

  /** Records a caller's report that `accessKeyId` was rejected (or only suspected) and re-plans the timer. */
  #noteRejection(entry: SecretEntry, accessKeyId: string, suspected: boolean): void {
    const nowMs = this.#options.clock.monotonicNow();
    const held = entry.credential?.accessKeyId === accessKeyId;
    if (!suspected) {
      entry.rejected.mark(accessKeyId, nextSequence++);
      // A confirmed rejection of a key that was only suspected starts recovery afresh (no inherited backoff).
      if (held && entry.recovery.suspected) {
        entry.recovery = { confirmations: 0, lastDemandAtMs: nowMs, suspected: false };
        entry.attemptDueAtMonoMs = undefined;
      }
    } else if (held && !entry.rejected.has(accessKeyId) && !entry.recovery.suspected) {
      entry.recovery.suspected = true;
      entry.attemptDueAtMonoMs = undefined; // re-planned at the slower pace of a suspicion
    }
    if (held) {
      entry.recovery.lastDemandAtMs = nowMs;
      if (entry.inFlight === undefined) this.#armNext(entry);
    }
    this.#publish('reject', { secretName: entry.secretName, accessKeyId, suspected, held });
  }

  /**
   * Whether the background timer must re-ask KMS at the recovery pace: the held key is in its expiry window,
   * or known rejected while callers still report it (without demand, recovery idles out).
   */
  #needsRecovery(entry: SecretEntry): boolean {
    const held = entry.credential;
    if (held === undefined) return false;
    if (entry.expiryWindowStartMs !== undefined && this.#options.clock.now() >= entry.expiryWindowStartMs) return true;
    if (!entry.rejected.has(held.accessKeyId)) return false;
    const lastDemandAtMs = entry.recovery.lastDemandAtMs;
    return lastDemandAtMs !== undefined && this.#options.clock.monotonicNow() - lastDemandAtMs <= RECOVERY_IDLE_STOP_MS;
  }

  /** When the next recovery fetch may start (monotonic); drawn once per KMS answer so all callers agree. */
  #attemptDueAt(entry: SecretEntry, nowMs = this.#options.clock.monotonicNow()): number {
    entry.attemptDueAtMonoMs ??= this.#planAttempt(entry);
    return Math.max(entry.attemptDueAtMonoMs, nowMs);
  }

  #planAttempt(entry: SecretEntry): number {
    const { clock, random, recovery } = this.#options;
    const held = entry.credential?.accessKeyId;
    // A suspicion (403 without code) that KMS already answered is weak evidence: re-checked two backoff steps later.
    const suspicionOnly = entry.recovery.suspected && held !== undefined && !entry.rejected.has(held);
    const confirmations = entry.recovery.confirmations + (suspicionOnly && entry.recovery.confirmations > 0 ? 2 : 0);
    return nextRecoveryAttempt(
      {
        nowMs: clock.monotonicNow(),
        confirmations,
        lastAnswerAtMs: entry.lastAnswerAtMonoMs,
        random: random(),
        throttles: entry.consecutiveThrottles,
      },
      recovery,
    ).dueAtMs;
  }

  /** Whether an answer holding the unusable key confirms it (its request was sent after the rejection). */
  #confirmsUnusable(entry: SecretEntry, credential: AccessKeyCredential, sequence: number): boolean {
    const markedAt = entry.rejected.markedAt(credential.accessKeyId);
    if (markedAt !== undefined) return sequence > markedAt;
    return entry.recovery.suspected || this.#needsRecovery(entry);
  }

  // ------------------------------------------------------------------------------------------- fetching

  /** Starts the one fetch of `entry`; its promise is already handled, so nobody has to await it. */
  #startFetch(entry: SecretEntry, trigger: RefreshTrigger): SecretFetch {
    entry.timer.cancel();
    const { clock, fetchTimeoutMs } = this.#options;
    const controller = new AbortController();
    const startedAtMs = clock.monotonicNow();
    const sequence = nextSequence++;
    // Backstop for sources that ignore their budget: the fetch settles by its deadline whatever they do.
    const backstop = clock.setTimeout(() => controller.abort(this.#timeoutError(entry.secretName)), fetchTimeoutMs);
    const done = this.#fetch(entry, trigger, controller.signal, startedAtMs, sequence).finally(() => clock.clearTimeout(backstop));
    const fetch: SecretFetch = { done, controller, sequence, deadlineAtMs: startedAtMs + fetchTimeoutMs };
    entry.inFlight = fetch;
    this.#running.add(done);
    const settle = () => {
      this.#running.delete(done);
      if (entry.inFlight === fetch) entry.inFlight = undefined;
    };
    done.then(settle, settle);
    return fetch;
  }

  async #fetch(entry: SecretEntry, trigger: RefreshTrigger, signal: AbortSignal, startedAtMs: number, sequence: number): Promise<void> {
    const { source, versionStage, fetchTimeoutMs } = this.#options;
    let info: SecretInfo;
    let credential: AccessKeyCredential | undefined;
    let credentialError: SecretDataError | undefined;
    try {
      const request = { secretName: entry.secretName, fetchExtendedConfig: true, ...(versionStage === undefined ? {} : { versionStage }) };
      // The source gets a slightly smaller budget, so its own timeout error (naming every endpoint) wins the race.
      const timeoutMs = fetchTimeoutMs - Math.min(250, Math.floor(fetchTimeoutMs / 10));
      info = await untilAborted(source.getSecretValue(request, { signal, timeoutMs }), signal);
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
      throw this.#onFailure(entry, trigger, error, startedAtMs);
    }
    this.#onSuccess(entry, trigger, { startedAtMs, sequence }, info, credential, credentialError);
  }

  #onSuccess(
    entry: SecretEntry,
    trigger: RefreshTrigger,
    { startedAtMs, sequence }: { startedAtMs: number; sequence: number },
    info: SecretInfo,
    credential: AccessKeyCredential | undefined,
    credentialError: SecretDataError | undefined,
  ): void {
    const { clock } = this.#options;
    const previousInfo = entry.info;
    const previous = entry.credential;
    const nowMs = clock.now();
    const monoNowMs = clock.monotonicNow();
    entry.info = info;
    entry.credential = credential;
    entry.credentialError = credentialError;
    entry.fetchedAtMs = nowMs;
    entry.lastAnswerAtMonoMs = monoNowMs;
    entry.consecutiveFailures = 0;
    entry.consecutiveThrottles = 0;
    entry.lastError = undefined;
    entry.loadFailed = false;
    entry.staleSinceMonoMs = undefined;
    entry.staleAnnounced = true;

    const schedule = this.#schedule(info, credential, nowMs);
    entry.scheduledDueAtMonoMs = monoNowMs + schedule.delayMs;
    entry.expiryWindowStartMs = schedule.expiryWindowStartMs;
    if (credential !== undefined && !credential.sameKeyAs(previous)) {
      entry.recovery = { confirmations: 0, lastDemandAtMs: entry.recovery.lastDemandAtMs, suspected: false };
    } else if (credential !== undefined && this.#confirmsUnusable(entry, credential, sequence)) {
      entry.recovery.confirmations += 1;
    }
    entry.attemptDueAtMonoMs = undefined; // drawn when first needed, from this answer's time
    const armed = this.#armNext(entry);

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
      durationMs: Math.round(monoNowMs - startedAtMs),
      nextRefreshAtMs: wallTimeOf(armed?.dueAtMs ?? entry.scheduledDueAtMonoMs, clock),
      basis: armed?.recovery ? 'recovery' : schedule.basis,
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

  /** The regular schedule, brought forward ahead of `ExpireTimestamp` when the credential expires. */
  #schedule(
    info: SecretInfo,
    credential: AccessKeyCredential | undefined,
    nowMs: number,
  ): { delayMs: number; basis: RefreshBasis; expiryWindowStartMs: number | undefined } {
    const { random, jitterMaxMs, recovery } = this.#options;
    const hints = readSecretDataRefreshHints(info.secretData);
    const regular = computeRefreshSchedule(
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
    const expiresAtMs = credential?.expiresAtMs;
    if (expiresAtMs === undefined) return { delayMs: regular.delayMs, basis: regular.basis, expiryWindowStartMs: undefined };
    const expiry = refreshBeforeExpiry({ nowMs, expiresAtMs, fetchedAtMs: nowMs, random: random(), minIntervalMs: recovery.minIntervalMs });
    return expiry.delayMs < regular.delayMs
      ? { delayMs: expiry.delayMs, basis: 'expiry', expiryWindowStartMs: expiry.windowStartMs }
      : { delayMs: regular.delayMs, basis: regular.basis, expiryWindowStartMs: expiry.windowStartMs };
  }

  /**
   * Arms the entry's timer for what comes next: a recovery attempt while the held key is unusable, else the
   * regular schedule. Returns what was armed (nothing for a detached entry or one without a value).
   */
  #armNext(entry: SecretEntry): { dueAtMs: number; recovery: boolean } | undefined {
    if (this.#closed || entry.detached || entry.scheduledDueAtMonoMs === undefined) return undefined;
    if (this.#needsRecovery(entry)) {
      const dueAtMs = this.#attemptDueAt(entry);
      const expiring = entry.credential !== undefined && !entry.rejected.has(entry.credential.accessKeyId);
      entry.timer.arm(dueAtMs, expiring ? 'expiry' : 'recovery');
      return { dueAtMs, recovery: true };
    }
    entry.timer.arm(entry.scheduledDueAtMonoMs, 'scheduled');
    return { dueAtMs: entry.scheduledDueAtMonoMs, recovery: false };
  }

  /** Records a failed fetch, arms the next attempt, and returns what to reject with. */
  #onFailure(entry: SecretEntry, trigger: RefreshTrigger, error: unknown, startedAtMs: number): unknown {
    if (this.#closed) {
      return error instanceof SecretCacheError && error.code === SecretCacheErrorCode.Closed
        ? error
        : this.#closedError(entry.secretName, error);
    }
    const { clock, backoff, random, recovery } = this.#options;
    const monoNowMs = clock.monotonicNow();
    entry.consecutiveFailures += 1;
    entry.consecutiveThrottles = isThrottlingError(error) ? entry.consecutiveThrottles + 1 : 0;
    entry.lastError = error;
    entry.lastAnswerAtMonoMs = monoNowMs;
    // A throttled answer is contention evidence: the next try is spread wider than a plain backoff step.
    const throttledDelayMs = () => (entry.consecutiveThrottles > 0 ? throttledRetryDelayMs(entry.consecutiveThrottles, random()) : 0);
    let retryAtMs: number | undefined;
    if (entry.info === undefined) {
      // Nothing was ever loaded: heal in the background, at most 30 s apart while the error is transient.
      entry.loadFailed = true;
      const retryable = isRetryableError(error);
      const capMs = retryable ? Math.min(backoff.capMs, SECRET_CACHE_DEFAULTS.loadRetryCapMs) : backoff.capMs;
      const backoffMs = fullJitterDelayMs(entry.consecutiveFailures - 1, { ...backoff, capMs }, random);
      const delayMs = Math.max(recovery.minIntervalMs, backoffMs, throttledDelayMs());
      retryAtMs = monoNowMs + delayMs;
      if (!entry.detached) entry.timer.arm(retryAtMs, 'retry');
    } else {
      entry.staleSinceMonoMs ??= monoNowMs;
      entry.staleAnnounced = false;
      if (this.#needsRecovery(entry)) {
        entry.recovery.confirmations += 1; // KMS failing while the key is unusable: keep pacing, grow the wait
        entry.attemptDueAtMonoMs = undefined;
        retryAtMs = this.#armNext(entry)?.dueAtMs;
      } else {
        retryAtMs = monoNowMs + Math.max(1, fullJitterDelayMs(entry.consecutiveFailures - 1, backoff, random), throttledDelayMs());
        entry.attemptDueAtMonoMs = undefined;
        if (!entry.detached) entry.timer.arm(retryAtMs, 'retry');
      }
    }
    if (entry.detached) retryAtMs = undefined;
    this.#publish('error', {
      secretName: entry.secretName,
      trigger,
      error,
      consecutiveFailures: entry.consecutiveFailures,
      servingStale: entry.info !== undefined,
      retryAtMs: retryAtMs === undefined ? undefined : wallTimeOf(retryAtMs, clock),
      durationMs: Math.round(monoNowMs - startedAtMs),
    });
    return error;
  }

  #onTimer(entry: SecretEntry, trigger: RefreshTrigger): void {
    if (this.#closed || entry.detached || entry.inFlight !== undefined) return; // a running fetch arms the next timer
    if (trigger === 'recovery' && !this.#needsRecovery(entry)) {
      this.#armNext(entry); // recovery idled out or ended: back to the regular schedule
      return;
    }
    this.#startFetch(entry, trigger);
  }

  // ------------------------------------------------------------------------------------------- reporting

  #publish<K extends keyof SecretCacheEvents>(name: K, payload: SecretCacheEvents[K][0]): void {
    publishCacheEvent(this, this.id, name, payload);
  }

  #timeoutError(secretName: string): KmsError {
    const { fetchTimeoutMs, source } = this.#options;
    return new KmsError(
      `GetSecretValue of "${secretName}" did not finish within ${fetchTimeoutMs} ms (fetch_timeout) on ${source.description}`,
      { code: KmsErrorCode.FetchTimeout, retryable: true, source: source.description },
    );
  }

  #expiredError(entry: SecretEntry): SecretCacheError {
    const expiresAtMs = entry.credential?.expiresAtMs;
    const when = expiresAtMs === undefined ? 'its expiry' : new Date(expiresAtMs).toISOString();
    return new SecretCacheError(
      SecretCacheErrorCode.Expired,
      `secret ${entry.secretName}: the credential expired at ${when} and KMS has not provided a newer one yet; ` +
        'the cache keeps asking at the recovery pace',
      entry.lastError === undefined ? { secretName: entry.secretName } : { secretName: entry.secretName, cause: entry.lastError },
    );
  }

  #closedError(secretName: string, cause?: unknown): SecretCacheError {
    return new SecretCacheError(
      SecretCacheErrorCode.Closed,
      `SecretCacheClient ${this.id} is closed; cannot serve secret ${secretName}`,
      cause === undefined ? { secretName } : { secretName, cause },
    );
  }
}
