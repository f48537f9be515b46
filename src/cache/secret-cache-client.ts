import { EventEmitter } from 'node:events';
import { createShutdownController } from '../runtime/shutdown-controller.js';
import { inspect } from 'node:util';
import { LRUCache } from 'lru-cache';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider, RefreshNowOptions, RefreshOutcome } from '../credentials/credential-provider.js';
import type { SecretInfo } from '../kms/secret-info.js';
import { isThrottlingError } from '../kms/throttle-pacing.js';
import { Deadline } from '../runtime/deadline.js';
import { sleepUntil } from '../runtime/wait.js';
import { publishCacheEvent } from './cache-event-publisher.js';
import { EntryFetcher } from './entry-fetcher.js';
import { EntryReader } from './entry-reader.js';
import { EntryTimer } from './entry-timer.js';
import { keyChanged } from './key-changed.js';
import { nextLogicalTime } from './logical-time.js';
import { holdsBack, reportRejection } from './recovery-episode.js';
import { planForcedRefresh } from './recovery-policy.js';
import { renderEntryStatus, wallTimeOf } from './render-entry-status.js';
import { closedError } from './cache-errors.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import type { RefreshTrigger, SecretCacheEvents } from './secret-cache-events.js';
import { resolveSecretCacheOptions, type ResolvedSecretCacheOptions, type SecretCacheClientOptions } from './secret-cache-options.js';
import { SecretEntry, type SecretFetch } from './secret-entry.js';
import type { SecretEntryStatus } from './secret-entry-status.js';

let nextClientNumber = 1;

/** Per-call options of the reading methods. */
export interface SecretCacheReadOptions {
  /** Abandons this caller's wait; a fetch shared with other callers goes on. */
  signal?: AbortSignal;
  /**
   * The call's one deadline (see {@link SecretCacheClient.callDeadline}), shared by every wait of the call.
   * Default: `fetchTimeoutMs` from now.
   */
  deadline?: Deadline;
}

/**
 * The rotation-aware secret cache: one entry per secret, fetched from a {@link SecretSource} and kept
 * current by a per-secret timer.
 *
 * - **First load** is awaited by the caller; concurrent callers share one fetch, bounded by `fetchTimeoutMs`.
 *   A failed first load rejects its callers; later callers fail fast with that error while a background retry
 *   (full-jitter backoff, at most 30 s apart, whatever the error) heals the entry; `refreshNow` retries at once.
 * - **Schedule**: rotating RAM AccessKeys are re-read shortly after `NextRotationDate`, at most every
 *   `rotationIntervalMs`; other secrets every `RefreshInterval` or `defaultTtlMs`; a credential with
 *   `ExpireTimestamp` ahead of expiry, and never served past it while KMS can be asked. Jitter per refresh.
 * - **Failures**: the last good value keeps being served (`stale` event), retries back off exponentially with
 *   full jitter, and after `maxStalenessMs` (if set) reads fail fast with `SecretCache.TooStale`.
 * - **One deadline per call**: every wait of a read or a forced refresh (joining a fetch, holding for an
 *   imminent attempt) ends by the call's deadline (`options.deadline`, default `fetchTimeoutMs` from the start).
 * - **Rejected keys** (`refreshNow`): the cache remembers which AccessKeyIds OSS rejected and runs one
 *   recovery episode for the held key. A key known rejected is never handed out until KMS answers a request
 *   sent after the rejection (callers wait for that answer within their deadline); while KMS keeps serving
 *   it, the cache asks again with backoff (about 1 s growing to 30 s), one fetch at a time and never sooner
 *   than `recovery.minIntervalMs` after the last answer. Nothing locks recovery out.
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
  readonly #fetcher: EntryFetcher;
  readonly #reader: EntryReader;
  /** Aborted by close(): every wait of every caller ends at once. */
  readonly #closeController = createShutdownController();
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
    this.#fetcher = new EntryFetcher({
      options: this.#options,
      isClosed: () => this.#closed,
      closedError: (secretName, cause) => this.#closedError(secretName, cause),
      publish: (name, payload) => publishCacheEvent(this, this.id, name, payload),
    });
    this.#reader = new EntryReader({
      options: this.#options,
      fetcher: this.#fetcher,
      closeSignal: this.#closeController.signal,
      isClosed: () => this.#closed,
      closedError: (secretName, cause) => this.#closedError(secretName, cause),
      callDeadline: () => this.callDeadline(),
    });
    // lru-cache only bounds the entries; the schedule and single flight are ours (see EntryFetcher).
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
   * A deadline for one call starting now: `fetchTimeoutMs` on this cache's clock. A client that makes a call
   * creates it once and passes it to every read and forced refresh of that call.
   */
  callDeadline(): Deadline {
    return Deadline.after(this.#options.clock, this.#options.fetchTimeoutMs);
  }

  /** Who serves the keys, as errors name it: the source's `servedBy` (`the KMS Agent`...), else `KMS`. */
  get servedBy(): string {
    return this.#options.source.servedBy ?? 'KMS';
  }

  /**
   * The current version of `secretName` (any secret type). The first call waits for the first load.
   *
   * @throws `KmsError` when the first load fails; {@link SecretCacheError} when closed, too stale or expired
   */
  async getSecretInfo(secretName: string, options: SecretCacheReadOptions = {}): Promise<SecretInfo> {
    const entry = this.#entry(secretName);
    const value = await this.#reader.awaitServable(entry, options, false);
    return value.info;
  }

  /**
   * The current AccessKey of a RAM-credential secret. The first call waits for the first load; later calls
   * return the cached key without I/O, unless it is past its `ExpireTimestamp` or known rejected with its
   * replacement being asked for: then the call waits for KMS's answer, within its deadline.
   *
   * @throws `KmsError` when the first load fails; `SecretDataError` when the SecretData is not an AccessKey;
   *   {@link SecretCacheError} when closed, too stale, expired, or `SecretCache.KeyRejected` when the held key
   *   is known rejected and KMS gave no answer within the deadline (its reason as `cause`)
   */
  async getCredential(secretName: string, options: SecretCacheReadOptions = {}): Promise<AccessKeyCredential> {
    const entry = this.#entry(secretName);
    const value = await this.#reader.awaitServable(entry, options, true);
    return value.credential as AccessKeyCredential;
  }

  /**
   * The cached AccessKey of `secretName` without I/O: `undefined` before the first load, past its
   * `ExpireTimestamp`, while the key is known rejected and KMS has not answered since (then
   * {@link SecretCacheClient.getCredential} waits for that answer), after the value became too stale
   * (`maxStalenessMs`), and after `close()`.
   */
  peekCredential(secretName: string): AccessKeyCredential | undefined {
    if (this.#closed) return undefined;
    const entry = this.#entries.get(secretName);
    const credential = entry?.credential;
    if (entry === undefined || credential === undefined) return undefined;
    if (credential.expiresAtMs !== undefined && this.#options.clock.now() >= credential.expiresAtMs) return undefined;
    if (entry.episode !== undefined && holdsBack(entry.episode, credential.accessKeyId)) return undefined;
    const state = entry.state;
    if (state.kind === 'stale') {
      if (this.#reader.tooStale(state.sinceMonoMs)) return undefined;
      this.#reader.announceStale(entry);
    }
    return credential;
  }

  /**
   * Forced refresh after OSS rejected an AccessKey. The rejection is remembered (unless `suspected`), then,
   * within the call's deadline (`options.deadline`):
   *
   * - the cache holds another key that is not known rejected: that key, `via: 'cached'`, no KMS call;
   * - a fetch is running: joins it (`via: 'joined'`); an answer to a request sent before the rejection proves
   *   nothing, so another fetch follows;
   * - otherwise fetches (`via: 'fetched'`) when the recovery pace allows it, waits for an attempt due within
   *   `recovery.minIntervalMs` (or, after a throttled answer, for the next attempt), or answers at once with the
   *   held key (`via: 'paced'`, `retryAtMs`);
   * - a failed fetch resolves with the last good key, `changed: false`, `via: 'failed'` and the `error`.
   *
   * `changed` follows one rule (another key not known rejected, or the same id with new material); callers
   * retry the rejected request only when it is `true`. Before any key was loaded this behaves like
   * {@link SecretCacheClient.getCredential}, except that a failed first load is retried at once.
   */
  async refreshNow(secretName: string, options: RefreshNowOptions = {}): Promise<RefreshOutcome> {
    const entry = this.#entry(secretName);
    const { suspected = false } = options;
    const deadline = options.deadline ?? this.callDeadline();
    const signal = this.#reader.waitSignal(options.signal);
    const before = entry.credential;
    if (before === undefined) {
      // A failed load, or a value that is no AccessKey: asked again at once.
      if (entry.state.kind === 'load-failed' || entry.value !== undefined) this.#fetcher.start(entry, 'forced');
      const via = entry.inFlight === undefined ? 'fetched' : 'joined';
      const credential = await this.getCredential(secretName, { deadline, ...(options.signal && { signal: options.signal }) });
      return { credential, changed: keyChanged(options.staleAccessKeyId, undefined, credential, entry.rejected.ids), via };
    }
    const rejectedId = options.staleAccessKeyId ?? before.accessKeyId;
    const reportedAt = this.#noteRejection(entry, rejectedId, suspected);
    const { clock, recovery } = this.#options;
    let via: RefreshOutcome['via'] = 'cached';
    /** A throttled answer this caller met: it waits for the next attempt within its deadline, then reports it. */
    let throttledBy: unknown;
    for (;;) {
      if (this.#closed) throw this.#closedError(secretName);
      const held = entry.credential ?? before;
      const nowMs = clock.monotonicNow();
      const step = planForcedRefresh({
        nowMs,
        heldKeyUsable: keyChanged(rejectedId, before, held, entry.rejected.ids),
        fetchRunning: entry.inFlight !== undefined,
        attemptDueAtMs: this.#fetcher.attemptDueAt(entry, nowMs),
        holdMaxMs: recovery.minIntervalMs,
        throttled: !suspected && (throttledBy !== undefined || entry.consecutiveThrottles > 0),
      });
      if (step.kind === 'cached') return { credential: held, changed: true, via };
      // A mere suspicion (403 without code) never makes a caller wait for a paced attempt; nor does one past the deadline.
      if (step.kind === 'paced' || (step.kind === 'hold' && (suspected || step.dueAtMs >= deadline.atMs))) {
        const error = throttledBy ?? (entry.consecutiveThrottles > 0 ? entry.lastError : undefined);
        if (error !== undefined) return { credential: held, changed: false, via: 'failed', error };
        return { credential: held, changed: false, via: 'paced', retryAtMs: wallTimeOf(step.dueAtMs, clock) };
      }
      if (step.kind === 'hold') {
        await sleepUntil(step.dueAtMs, { clock, deadlineAtMs: deadline.atMs, signal });
        continue;
      }
      const fetch = step.kind === 'join' ? (entry.inFlight as SecretFetch) : this.#fetcher.start(entry, 'forced');
      if (via === 'cached') via = step.kind === 'join' ? 'joined' : 'fetched';
      try {
        await this.#reader.join(entry, fetch, signal, deadline);
      } catch (error) {
        if (this.#closed || signal.some((s) => s.aborted)) throw this.#closed ? this.#closedError(secretName, error) : error;
        if (!suspected && isThrottlingError(error) && !deadline.expired) {
          throttledBy = error; // KMS is up, the quota is busy: wait for the next attempt within the deadline
          continue;
        }
        return { credential: entry.credential ?? before, changed: false, via: 'failed', error };
      }
      // An answer to a request sent after the report is KMS's word; an older one proves nothing: ask again.
      if (fetch.sequence > reportedAt) break;
    }
    const credential = entry.credential ?? before;
    const changed = keyChanged(rejectedId, before, credential, entry.rejected.ids);
    return { credential, changed, via };
  }

  /**
   * A request signed with `accessKeyId` succeeded: forget its rejection (OSS can accept a new key seconds
   * late) and end the recovery of it. Cheap; a no-op for unknown secrets and keys.
   */
  reportKeyAccepted(secretName: string, accessKeyId: string): void {
    if (this.#closed) return;
    const entry = this.#entries.peek(secretName);
    if (entry === undefined) return;
    entry.rejected.clear(accessKeyId);
    if (entry.episode?.accessKeyId !== accessKeyId) return;
    entry.episode = undefined;
    entry.pace.steps = 0;
    entry.pace.nextAttemptAtMonoMs = undefined;
    if (entry.inFlight === undefined) this.#fetcher.armNext(entry);
  }

  /** A secret-free summary of one cached secret, or `undefined` if it is not cached. */
  getStatus(secretName: string): SecretEntryStatus | undefined {
    const entry = this.#entries.peek(secretName);
    return entry === undefined ? undefined : renderEntryStatus(entry, this.#fetcher.needsRecovery(entry), this.#options.clock);
  }

  /**
   * Stops everything: clears every timer, ends every caller's wait (they reject with `SecretCache.Closed`),
   * aborts running fetches, waits for them to settle, and closes the source if `ownsSource`. Idempotent: every
   * call returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const running = [...this.#fetcher.running];
    this.#closeController.abort(this.#closedError('any'));
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
        entry === undefined ? [] : [renderEntryStatus(entry, this.#fetcher.needsRecovery(entry), this.#options.clock)],
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

  // ------------------------------------------------------------------------------------------- reading

  #entry(secretName: string): SecretEntry {
    if (this.#closed) throw this.#closedError(secretName);
    if (typeof secretName !== 'string' || secretName.trim() === '') {
      throw new SecretCacheError(SecretCacheErrorCode.InvalidSecretName, 'secret name must be a non-empty string');
    }
    let entry = this.#entries.get(secretName);
    if (entry === undefined) {
      const created = new SecretEntry(
        secretName,
        new EntryTimer<RefreshTrigger>(this.#options.clock, (trigger) => this.#fetcher.onTimer(created, trigger)),
      );
      entry = created;
      this.#entries.set(secretName, entry);
    }
    return entry;
  }

  /** Called by lru-cache on eviction and on close: the entry must stop scheduling. */
  #detach(entry: SecretEntry): void {
    entry.detached = true;
    entry.timer.cancel();
    // An evicted entry's fetch may still feed its waiters; only closing abandons it.
    if (this.#closed) entry.inFlight?.controller.abort(this.#closedError(entry.secretName));
  }

  // ------------------------------------------------------------------------------------------- recovery

  /**
   * Records a caller's report that `accessKeyId` was rejected (or only suspected) and re-plans the timer.
   * Returns the logical time an answer must be newer than to count as KMS's word on this report.
   */
  #noteRejection(entry: SecretEntry, accessKeyId: string, suspected: boolean): number {
    const at = nextLogicalTime();
    const held = entry.credential?.accessKeyId === accessKeyId;
    if (!suspected) entry.rejected.mark(accessKeyId);
    if (held) {
      const report = reportRejection(entry.episode, { accessKeyId, suspected, at, nowMs: this.#options.clock.monotonicNow() });
      entry.episode = report.episode;
      if (report.opened) {
        entry.pace.steps = 0; // a new episode acts at once: no answer can have shown a rotation since
        entry.pace.nextAttemptAtMonoMs = undefined;
      }
      if (entry.inFlight === undefined) this.#fetcher.armNext(entry);
    }
    this.#fetcher.publishReject(entry, accessKeyId, suspected, held);
    return held && entry.episode !== undefined ? entry.episode.reportedAt : at;
  }

  #closedError(secretName: string, cause?: unknown): SecretCacheError {
    return closedError(this.id, secretName, cause);
  }
}
