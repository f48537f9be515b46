import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import { isRamUserAccessKeySecret } from '../credentials/is-ram-user-access-key-secret.js';
import { parseAccessKeyCredential } from '../credentials/parse-access-key-credential.js';
import { readSecretDataRefreshHints } from '../credentials/read-secret-data-refresh-hints.js';
import { SecretDataError } from '../credentials/secret-data-error.js';
import { KmsError, KmsErrorCode } from '../kms/kms-error.js';
import type { SecretInfo } from '../kms/secret-info.js';
import { isThrottlingError, throttledRetryDelayMs, throttleHintsBehind, throttleHintsOf } from '../kms/throttle-pacing.js';
import { fullJitterDelayMs } from '../runtime/backoff.js';
import { jitteredDelayMs } from '../runtime/jitter.js';
import { fingerprint } from '../runtime/fingerprint.js';
import { waitFor } from '../runtime/wait.js';
import { refreshBeforeExpiry } from './expiry-policy.js';
import { nextLogicalTime } from './logical-time.js';
import { answerEpisode } from './recovery-episode.js';
import { nextRecoveryAttempt } from './recovery-policy.js';
import { computeRefreshSchedule, type RefreshBasis } from './refresh-schedule.js';
import { wallTimeOf } from './render-entry-status.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import type { RefreshTrigger, SecretCacheEvents } from './secret-cache-events.js';
import { SECRET_CACHE_DEFAULTS, type ResolvedSecretCacheOptions } from './secret-cache-options.js';
import type { EntrySchedule, HeldValue, SecretEntry, SecretFetch } from './secret-entry.js';

/** Without new reports of a rejected key for this long, the background re-asking stops (the next report restarts it). */
export const RECOVERY_IDLE_STOP_MS = 5 * 60 * 1000;

/** What the fetcher needs from its cache client. */
export interface EntryFetcherHost {
  readonly options: ResolvedSecretCacheOptions;
  isClosed(): boolean;
  closedError(secretName: string, cause?: unknown): SecretCacheError;
  publish<K extends keyof SecretCacheEvents>(name: K, payload: SecretCacheEvents[K][0]): void;
}

/**
 * The fetching half of the cache: starts the one fetch of an entry, applies its answer or failure to the
 * entry's state, and arms the entry's timer for what comes next (the regular schedule, a retry, or a recovery
 * attempt at the recovery pace). Every background fetch starts here, so single flight holds by construction.
 */
export class EntryFetcher {
  /** Fetches still running, so close() can wait for them to let go of their sockets. */
  readonly running = new Set<Promise<void>>();

  constructor(private readonly host: EntryFetcherHost) {}

  /** Starts the one fetch of `entry` (or returns the running one); its promise is already handled. */
  start(entry: SecretEntry, trigger: RefreshTrigger): SecretFetch {
    if (entry.inFlight !== undefined) return entry.inFlight;
    entry.timer.cancel();
    const { clock, fetchTimeoutMs } = this.host.options;
    const controller = new AbortController();
    const startedAtMs = clock.monotonicNow();
    const sequence = nextLogicalTime();
    // Backstop for sources that ignore their budget: the fetch settles by its deadline whatever they do.
    const backstop = clock.setTimeout(() => controller.abort(this.timeoutError(entry.secretName)), fetchTimeoutMs);
    const done = this.#fetch(entry, trigger, controller.signal, startedAtMs, sequence).finally(() => clock.clearTimeout(backstop));
    const fetch: SecretFetch = { done, controller, sequence, deadlineAtMs: startedAtMs + fetchTimeoutMs };
    entry.inFlight = fetch;
    this.running.add(done);
    const settle = () => {
      this.running.delete(done);
      if (entry.inFlight === fetch) entry.inFlight = undefined;
    };
    done.then(settle, settle);
    return fetch;
  }

  /**
   * Whether the background timer must re-ask KMS at the recovery pace: the held key is in its expiry window,
   * or confirmed rejected while callers still meet it (without demand, recovery idles out).
   */
  needsRecovery(entry: SecretEntry): boolean {
    const held = entry.credential;
    if (held === undefined) return false;
    const { clock } = this.host.options;
    const windowStartMs = entry.schedule?.expiryWindowStartMs;
    if (windowStartMs !== undefined && clock.now() >= windowStartMs) return true;
    const episode = entry.episode;
    if (episode === undefined || episode.suspected || episode.accessKeyId !== held.accessKeyId) return false;
    return clock.monotonicNow() - episode.lastDemandAtMonoMs <= RECOVERY_IDLE_STOP_MS;
  }

  /** When the next recovery fetch may start (monotonic, never before now); drawn once per KMS answer. */
  attemptDueAt(entry: SecretEntry, nowMs = this.host.options.clock.monotonicNow()): number {
    entry.pace.nextAttemptAtMonoMs ??= this.#planAttempt(entry);
    return Math.max(entry.pace.nextAttemptAtMonoMs, nowMs);
  }

  /**
   * Arms the entry's timer for what comes next: a recovery attempt while the held key is unusable, else the
   * regular schedule. Returns what was armed (nothing for a detached entry or one without a value).
   */
  armNext(entry: SecretEntry): { dueAtMs: number; recovery: boolean } | undefined {
    const schedule = entry.schedule;
    if (this.host.isClosed() || entry.detached || schedule === undefined) return undefined;
    if (this.needsRecovery(entry)) {
      const dueAtMs = this.attemptDueAt(entry);
      entry.timer.arm(dueAtMs, entry.episode === undefined ? 'expiry' : 'recovery');
      return { dueAtMs, recovery: true };
    }
    const dueAtMs = Math.max(schedule.dueAtMonoMs, this.#paceFloor(entry));
    entry.timer.arm(dueAtMs, 'scheduled');
    return { dueAtMs, recovery: false };
  }

  /**
   * A caller wants an AccessKey but the held value is none: the next background ask is brought forward to
   * within the load-retry cap (30 s) after the last answer, jittered, never sooner than the minimum interval.
   */
  retrySoon(entry: SecretEntry): void {
    if (this.host.isClosed() || entry.detached || entry.inFlight !== undefined) return;
    const { clock, random, recovery } = this.host.options;
    const lastMs = entry.lastAnswerAtMonoMs ?? clock.monotonicNow();
    const latestMs = lastMs + SECRET_CACHE_DEFAULTS.loadRetryCapMs;
    const armed = entry.timer.dueAtMs;
    if (armed !== undefined && armed <= latestMs) return;
    const dueAtMs = lastMs + jitteredDelayMs(recovery.minIntervalMs, SECRET_CACHE_DEFAULTS.loadRetryCapMs, random());
    entry.timer.arm(Math.max(dueAtMs, clock.monotonicNow()), 'retry');
  }

  /** The entry's timer fired. */
  onTimer(entry: SecretEntry, trigger: RefreshTrigger): void {
    if (this.host.isClosed() || entry.detached || entry.inFlight !== undefined) return; // a running fetch arms the next timer
    if ((trigger === 'recovery' || trigger === 'expiry') && !this.needsRecovery(entry)) {
      this.armNext(entry); // recovery idled out or ended: back to the regular schedule
      return;
    }
    this.start(entry, trigger);
  }

  /** Publishes `stale` for an entry whose refresh failed while a value is served. */
  publishStale(entry: SecretEntry, sinceMonoMs: number): void {
    this.host.publish('stale', {
      secretName: entry.secretName,
      accessKeyId: entry.credential?.accessKeyId,
      versionId: entry.value?.info.versionId,
      staleSinceMs: wallTimeOf(sinceMonoMs, this.host.options.clock),
      lastError: entry.lastError,
    });
  }

  /** Publishes `reject` for a caller's report. */
  publishReject(entry: SecretEntry, accessKeyId: string, suspected: boolean, held: boolean): void {
    this.host.publish('reject', { secretName: entry.secretName, accessKeyId, suspected, held });
  }

  /** A `Kms.FetchTimeout` naming the secret and the source. */
  timeoutError(secretName: string): KmsError {
    const { fetchTimeoutMs, source } = this.host.options;
    return new KmsError(
      `GetSecretValue of "${secretName}" did not finish within ${fetchTimeoutMs} ms (fetch_timeout) on ${source.description}`,
      { code: KmsErrorCode.FetchTimeout, retryable: true, source: source.description },
    );
  }

  #planAttempt(entry: SecretEntry): number {
    const { clock, random, recovery } = this.host.options;
    // A suspicion (403 without code) that KMS already answered is weak evidence: re-checked two backoff steps later.
    const suspicionOnly = entry.episode?.suspected === true;
    const steps = entry.pace.steps + (suspicionOnly && entry.pace.steps > 0 ? 2 : 0);
    const attempt = nextRecoveryAttempt(
      {
        nowMs: clock.monotonicNow(),
        confirmations: steps,
        lastAnswerAtMs: entry.lastAnswerAtMonoMs,
        random: random(),
        throttles: entry.consecutiveThrottles,
        // How long KMS has been throttling this secret, up to its last answer: the spread follows it.
        throttleStreakMs: entry.throttledSinceMonoMs === undefined ? 0 : (entry.lastAnswerAtMonoMs ?? 0) - entry.throttledSinceMonoMs,
        throttleHints: throttleHintsOf(entry.lastError),
      },
      recovery,
    ).dueAtMs;
    // A credential about to expire is asked for at least twice more before it does: the gap never exceeds half
    // the time left (KMS may issue the next token only shortly before expiry).
    const leftMs = (entry.credential?.expiresAtMs ?? Infinity) - clock.now();
    const last = entry.lastAnswerAtMonoMs;
    const beforeExpiry =
      leftMs === Infinity || leftMs <= 0 || last === undefined ? Infinity : last + Math.max(recovery.minIntervalMs, Math.ceil(leftMs / 2));
    return Math.max(Math.min(attempt, beforeExpiry), this.#paceFloor(entry));
  }

  /**
   * The earliest a background or recovery ask may start: the minimum interval after KMS's last answer, except
   * for the first ask of a fresh episode (a confirmed rejection no answer has followed yet: acting at once is
   * right, as an older answer cannot show a rotation since).
   */
  #paceFloor(entry: SecretEntry): number {
    const last = entry.lastAnswerAtMonoMs;
    if (last === undefined) return -Infinity;
    const episode = entry.episode;
    const firstOfEpisode = episode !== undefined && !episode.suspected && !episode.answered && entry.pace.steps === 0;
    return firstOfEpisode ? -Infinity : last + this.host.options.recovery.minIntervalMs;
  }

  async #fetch(entry: SecretEntry, trigger: RefreshTrigger, signal: AbortSignal, startedAtMs: number, sequence: number): Promise<void> {
    const { source, versionStage, fetchTimeoutMs } = this.host.options;
    let value: HeldValue;
    try {
      const request = { secretName: entry.secretName, fetchExtendedConfig: true, ...(versionStage === undefined ? {} : { versionStage }) };
      // The source gets a slightly smaller budget, so its own timeout error (naming every endpoint) wins the race.
      const timeoutMs = fetchTimeoutMs - Math.min(250, Math.floor(fetchTimeoutMs / 10));
      // keepAlive false: this is background work; the callers waiting for it hold the process open themselves.
      // While keys are known rejected, a failover group goes around a source that still serves one (a KMS
      // Agent answering from its cache until its TTL ends) when another source is configured.
      const isKnownRejected = entry.rejected.size === 0 ? undefined : (answer: SecretInfo) => servesRejectedKey(entry, answer);
      const info = await waitFor(
        source.getSecretValue(request, { signal, timeoutMs, keepAlive: false, ...(isKnownRejected === undefined ? {} : { isKnownRejected }) }),
        { clock: this.host.options.clock, signal, keepAlive: false },
      );
      if (this.host.isClosed()) throw this.host.closedError(entry.secretName);
      value = this.#parse(entry, info);
    } catch (error) {
      throw this.#onFailure(entry, trigger, error, startedAtMs);
    }
    this.#onSuccess(entry, trigger, startedAtMs, sequence, value);
  }

  /** The answer as a held value; data that stops being an AccessKey is a failed refresh (the last good key stays). */
  #parse(entry: SecretEntry, info: SecretInfo): HeldValue {
    const fetchedAtMs = this.host.options.clock.now();
    try {
      return { info, credential: parseAccessKeyCredential(info), credentialError: undefined, fetchedAtMs };
    } catch (error) {
      // A secret that never was an AccessKey (e.g. Generic) is simply cached for getSecretInfo.
      if (!(error instanceof SecretDataError) || entry.credential !== undefined || isRamUserAccessKeySecret(info)) throw error;
      return { info, credential: undefined, credentialError: error, fetchedAtMs };
    }
  }

  #onSuccess(entry: SecretEntry, trigger: RefreshTrigger, startedAtMs: number, sequence: number, value: HeldValue): void {
    const { clock } = this.host.options;
    const previous = entry.value;
    const previousCredential = previous?.credential;
    const credential = value.credential;
    const monoNowMs = clock.monotonicNow();
    entry.state = { kind: 'serving', value };
    entry.lastAnswerAtMonoMs = monoNowMs;
    entry.consecutiveFailures = 0;
    entry.consecutiveThrottles = 0;
    entry.throttledSinceMonoMs = undefined;
    entry.lastError = undefined;
    const { schedule, basis } = this.#schedule(value, previousCredential, entry.schedule, monoNowMs);
    entry.schedule = schedule;

    const sameKey = credential !== undefined && credential.sameKeyAs(previousCredential);
    const answered = answerEpisode(entry.episode, { accessKeyId: credential?.accessKeyId, sequence });
    entry.episode = answered.episode;
    if (!sameKey) {
      entry.pace.steps = 0; // a new key: any recovery starts afresh
    } else if (answered.confirmed || (entry.episode === undefined && this.needsRecovery(entry))) {
      entry.pace.steps += 1; // KMS confirmed the unusable key: the next ask waits longer
      // KMS's word: the key is no longer known rejected (until the next report), so calls may try it again.
      if (answered.confirmed && credential !== undefined) entry.rejected.clear(credential.accessKeyId);
    }
    entry.pace.nextAttemptAtMonoMs = undefined; // drawn when first needed, from this answer's time
    const armed = this.armNext(entry);

    const changed =
      previous === undefined || (credential === undefined ? previous.info.secretData !== value.info.secretData : !sameKey);
    this.host.publish('refresh', {
      secretName: entry.secretName,
      trigger,
      versionId: value.info.versionId,
      accessKeyId: credential?.accessKeyId,
      fingerprint: credential?.fingerprint ?? fingerprint(value.info.secretData),
      changed,
      durationMs: Math.round(monoNowMs - startedAtMs),
      nextRefreshAtMs: wallTimeOf(armed?.dueAtMs ?? schedule.dueAtMonoMs, clock),
      basis: armed?.recovery ? 'recovery' : basis,
    });
    if (previousCredential !== undefined && credential !== undefined && previousCredential.accessKeyId !== credential.accessKeyId) {
      this.host.publish('rotate', {
        secretName: entry.secretName,
        trigger,
        previousAccessKeyId: previousCredential.accessKeyId,
        accessKeyId: credential.accessKeyId,
        versionId: value.info.versionId,
      });
    }
  }

  /**
   * The regular schedule, brought forward ahead of `ExpireTimestamp` when the credential expires. The expiry
   * window is planned from the first answer that brought this credential, so an answer that repeats the same
   * token does not move it.
   */
  #schedule(
    value: HeldValue,
    previous: AccessKeyCredential | undefined,
    previousSchedule: EntrySchedule | undefined,
    monoNowMs: number,
  ): { schedule: EntrySchedule; basis: RefreshBasis } {
    const { random, jitterMaxMs, recovery } = this.host.options;
    const { info, credential, fetchedAtMs: nowMs } = value;
    const hints = readSecretDataRefreshHints(info.secretData);
    const regular = computeRefreshSchedule(
      {
        nowMs,
        rotatingAccessKey: isRamUserAccessKeySecret(info),
        nextRotationDateMs: info.nextRotationDateMs ?? hints.scheduleRotateTimestampMs,
        ttlMs: hints.refreshIntervalMs,
        // Drawn per refresh, so a fleet started together drifts apart instead of refreshing in lockstep.
        jitterMs: jitteredDelayMs(0, jitterMaxMs, random()),
      },
      this.host.options,
    );
    const expiresAtMs = credential?.expiresAtMs;
    if (expiresAtMs === undefined) {
      return {
        schedule: { dueAtMonoMs: monoNowMs + regular.delayMs, expiryWindowStartMs: undefined, lifetimeOriginMs: undefined },
        basis: regular.basis,
      };
    }
    const sameToken = credential !== undefined && credential.sameKeyAs(previous) && previous?.expiresAtMs === expiresAtMs;
    const lifetimeOriginMs = (sameToken ? previousSchedule?.lifetimeOriginMs : undefined) ?? nowMs;
    const expiry = refreshBeforeExpiry({ nowMs, expiresAtMs, fetchedAtMs: lifetimeOriginMs, random: random(), minIntervalMs: recovery.minIntervalMs });
    const useExpiry = expiry.delayMs < regular.delayMs;
    return {
      schedule: {
        dueAtMonoMs: monoNowMs + (useExpiry ? expiry.delayMs : regular.delayMs),
        expiryWindowStartMs: expiry.windowStartMs,
        lifetimeOriginMs,
      },
      basis: useExpiry ? 'expiry' : regular.basis,
    };
  }

  /** Records a failed fetch, arms the next attempt, and returns what to reject with. */
  #onFailure(entry: SecretEntry, trigger: RefreshTrigger, error: unknown, startedAtMs: number): unknown {
    const host = this.host;
    if (host.isClosed()) {
      return error instanceof SecretCacheError && error.code === SecretCacheErrorCode.Closed ? error : host.closedError(entry.secretName, error);
    }
    const { clock, backoff, random, recovery } = host.options;
    const monoNowMs = clock.monotonicNow();
    entry.consecutiveFailures += 1;
    // A fetch the failover group gave up on while KMS kept throttling (a `Kms.FetchTimeout` whose cause is the
    // throttled answer) counts as throttled since it started: the next fetch keeps to the streak's spread
    // instead of a plain backoff step that would send the fleet back at once.
    const throttledFetch = !isThrottlingError(error) && isThrottlingError((error as { cause?: unknown } | undefined)?.cause);
    entry.consecutiveThrottles = isThrottlingError(error) || throttledFetch ? entry.consecutiveThrottles + 1 : 0;
    entry.throttledSinceMonoMs =
      entry.consecutiveThrottles > 0 ? (entry.throttledSinceMonoMs ?? (throttledFetch ? startedAtMs : monoNowMs)) : undefined;
    entry.lastError = error;
    entry.lastAnswerAtMonoMs = monoNowMs;
    // A throttled answer is contention evidence: the next try is spread wider than a plain backoff step.
    const throttledDelayMs = () => (entry.consecutiveThrottles > 0 ? throttledRetryDelayMs(monoNowMs - (entry.throttledSinceMonoMs ?? monoNowMs), random(), undefined, throttleHintsOf(error)) : 0);
    let retryAtMs: number | undefined;
    const state = entry.state;
    if (state.kind === 'unloaded' || state.kind === 'load-failed') {
      // Nothing was ever loaded: heal in the background, at most 30 s apart whatever the error (a secret
      // created late, a permission granted late); refreshNow retries at once.
      entry.state = { kind: 'load-failed', error };
      const capMs = SECRET_CACHE_DEFAULTS.loadRetryCapMs;
      const backoffMs = fullJitterDelayMs(entry.consecutiveFailures - 1, { ...backoff, capMs: Math.min(backoff.capMs, capMs) }, random);
      retryAtMs = monoNowMs + Math.min(capMs, Math.max(recovery.minIntervalMs, backoffMs, throttledDelayMs()));
      if (!entry.detached) entry.timer.arm(retryAtMs, 'retry');
    } else {
      if (state.kind === 'serving') entry.state = { kind: 'stale', value: state.value, sinceMonoMs: monoNowMs, announced: false };
      else state.announced = false;
      if (this.needsRecovery(entry)) {
        entry.pace.steps += 1; // KMS failing while the key is unusable: keep pacing, grow the wait
        entry.pace.nextAttemptAtMonoMs = undefined;
        retryAtMs = this.armNext(entry)?.dueAtMs;
      } else {
        // Never sooner than the minimum interval after this answer: KMS is asked at most about once a second.
        retryAtMs = monoNowMs + Math.max(recovery.minIntervalMs, fullJitterDelayMs(entry.consecutiveFailures - 1, backoff, random), throttledDelayMs());
        entry.pace.nextAttemptAtMonoMs = undefined;
        if (!entry.detached) entry.timer.arm(retryAtMs, 'retry');
      }
    }
    if (entry.detached) retryAtMs = undefined;
    host.publish('error', {
      secretName: entry.secretName,
      trigger,
      error,
      consecutiveFailures: entry.consecutiveFailures,
      servingStale: entry.value !== undefined,
      retryAtMs: retryAtMs === undefined ? undefined : wallTimeOf(retryAtMs, clock),
      durationMs: Math.round(monoNowMs - startedAtMs),
      ...optional('throttleHints', throttleHintsBehind(error)),
    });
    return error;
  }
}

/** Whether `info` holds an AccessKeyId the entry knows rejected (read when the answer comes, not when the fetch starts). */
function servesRejectedKey(entry: SecretEntry, info: SecretInfo): boolean {
  try {
    return entry.rejected.has(parseAccessKeyCredential(info).accessKeyId);
  } catch {
    return false; // not an AccessKey: nothing to compare
  }
}

/** `{ [key]: value }`, or nothing when the value is undefined (an event field is absent rather than undefined). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
