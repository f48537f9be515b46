import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { callWithManagedKey, type ManagedKeyClient } from '../../src/call/call-with-managed-key.js';
import type { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { FailoverSecretSource } from '../../src/kms/failover/failover-secret-source.js';
import type { SecretSource } from '../../src/kms/secret-source.js';
import { KmsError } from '../../src/kms/kms-error.js';
import type { Clock } from '../../src/runtime/clock.js';
import { HeapVirtualClock } from '../../test/support/heap-virtual-clock.js';
import { round, seededRandom } from './measure.js';
import type { ThrottlePacing } from '../../src/kms/throttle-pacing.js';
import { SimulatedKms, type QuotaModel, type SimulatedKey } from './simulated-kms.js';

/**
 * Who runs the recovery in a simulated process:
 * - `ours`: the real `SecretCacheClient` over the real `FailoverSecretSource` (as `secretSourceFromConfig`
 *   builds it), requests going through the real call core (`callWithManagedKey`, what ProxyBucket runs):
 *   the cached key, and on a rejected key `refreshNow(secret, { staleAccessKeyId })` plus one retry if the
 *   key changed;
 * - `official`: the official providers' rule (per-secret bucket of 5 forced refreshes, +1 per 10 min; each
 *   forced refresh a synchronous fetch serialised by a per-secret lock, no single flight, retried on
 *   throttling after 2, 4, 8, 10, 10... s without jitter within a 10 min deadline; then a 200 ms sleep and
 *   one unconditional retry);
 * - `full-jitter`: one fetch at a time per process, retried on throttling after U[0, min(30 s, 1 s * 2^n));
 *   callers wait for it up to `fetch_timeout`.
 */
export type FleetPolicy = 'ours' | 'official' | 'full-jitter';

/** Options of {@link runFleetRevoke}. */
export interface FleetRevokeOptions {
  processes: number;
  quotaQps: number;
  policy: FleetPolicy;
  /** Workload requests per second per process (Poisson). Default 5. */
  requestsPerSecond?: number;
  /** KMS round trip, ms. Default 50. */
  kmsLatencyMs?: number;
  /** Caller deadline (`fetch_timeout`), ms. Default 30 000. */
  fetchTimeoutMs?: number;
  /** Virtual time after the revoke at which the run stops even if processes are still on the old key, ms. */
  horizonMs?: number;
  seed?: number;
  /**
   * `failover` (default): the cache over a `FailoverSecretSource` of the simulated KMS, as a configuration
   * builds it (the group retries throttled answers within the fetch); `direct`: the cache over the simulated
   * KMS itself, so every throttled answer reaches the cache.
   */
  stack?: 'failover' | 'direct';
  /**
   * `open` (default): each process's requests arrive as a Poisson stream whatever happens to the earlier ones;
   * `closed`: one caller per process sends its next request only when the previous one has settled (a sync
   * worker), so a waiting process holds one request instead of piling them up. The sweep uses `closed`: the
   * times to the new key are the same, and 20,000 processes fit the CPU budget.
   */
  workload?: 'open' | 'closed';
  /** Pacing of throttled answers for `ours` (the failover group's); default the library's defaults. */
  throttlePacing?: ThrottlePacing;
  /** How KMS counts its quota; default a fixed window per second. */
  quotaModel?: QuotaModel;
  /** Where in KMS's second the revoke falls, ms (0-999); default 0. */
  revokeOffsetMs?: number;
  /** KMS sends throttle hints (`x-ratelimit-user` Limit/Remain/TimeLeft) on throttled answers; default no. */
  hints?: boolean;
}

/** Figures of one run (times relative to the revoke, ms). */
export interface FleetRevokeResult {
  policy: FleetPolicy;
  processes: number;
  quotaQps: number;
  /** N / quota, ms: no policy can do better. */
  physicalLimitMs: number;
  /** Virtual time until 50 %, 99 % and 100 % of the processes hold the new key; `null`: not within the horizon. */
  newKeyP50Ms: number | null;
  newKeyP99Ms: number | null;
  newKeyAllMs: number | null;
  /** Share of processes on the new key when the run stopped. */
  newKeyShare: number;
  horizonMs: number;
  kmsAttempts: number;
  kmsThrottled: number;
  kmsSucceeded: number;
  kmsPeakAttemptsPerSecond: number;
  /** Requests of the workload issued until each process served one with the new key. */
  requests: number;
  /** Requests that ended in an error for the caller. */
  callerErrors: number;
  /** Error codes the callers saw, with counts. */
  callerErrorCodes: Record<string, number>;
  /** Requests still waiting when the run stopped. */
  unfinishedRequests: number;
  /** How long callers waited for a usable answer (errors included): p50 / p99 / max, ms. */
  waitP50Ms: number;
  waitP99Ms: number;
  waitMaxMs: number;
  /** Per second after the revoke: KMS attempts, throttled attempts, % of processes on the new key at its end. */
  timeline: { second: number; attempts: number; throttled: number; newKeyPercent: number }[];
}

const SECRET = 'fleet-ak';
const OLD_KEY: SimulatedKey = { accessKeyId: 'LTAIold', accessKeySecret: 'old-secret-value' };
const NEW_KEY: SimulatedKey = { accessKeyId: 'LTAInew', accessKeySecret: 'new-secret-value' };
const STEP_MS = 100;
/** What the simulated OSS answers to a request signed with the revoked key (ali-oss's error code). */
const OSS_REJECTS_OLD_KEY = Object.freeze({ code: 'InvalidAccessKeyId', status: 403 });

/** One simulated process: how its requests get a key, and when it holds the new one. */
interface SimProcess {
  /**
   * Starts one workload request: the caller's outcome (an error code, or `undefined` for success), or a
   * promise of it when the caller has to wait.
   */
  request(): Promise<string | undefined> | string | undefined;
  /** Whether the process holds the new key now. */
  onNewKey(): boolean;
  close(): Promise<void> | void;
  /** Settles when the process holds its first key (the old one). */
  loaded?: Promise<void>;
}

/**
 * Simulates an emergency revoke across a fleet on one virtual clock: every process holds the old key, KMS
 * starts serving the new key and OSS rejects the old one at t = 0, and each process keeps sending its
 * workload until it has served a request with the new key. Deterministic for a seed.
 */
export async function runFleetRevoke(options: FleetRevokeOptions): Promise<FleetRevokeResult> {
  const requestsPerSecond = options.requestsPerSecond ?? 5;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 30_000;
  const horizonMs = options.horizonMs ?? 120_000;
  const seed = options.seed ?? 1;
  // Tens of thousands of throttling errors are created; their stack traces are not what is measured here.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await simulate(options, requestsPerSecond, fetchTimeoutMs, horizonMs, seed);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function simulate(
  options: FleetRevokeOptions,
  requestsPerSecond: number,
  fetchTimeoutMs: number,
  horizonMs: number,
  seed: number,
): Promise<FleetRevokeResult> {
  const { processes: n, quotaQps, policy } = options;
  const clock = new HeapVirtualClock();
  const kms = new SimulatedKms({
    clock,
    secretName: SECRET,
    quotaQps,
    latencyMs: options.kmsLatencyMs ?? 50,
    key: OLD_KEY,
    quotaModel: options.quotaModel ?? 'fixed-window',
    hints: options.hints === true,
  });
  const workloadRandom = seededRandom(seed);

  const fleet: SimProcess[] = [];
  const loads: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const random = seededRandom(seed * 100_003 + i + 1);
    const process = policy === 'ours' ? oursProcess(kms, clock, random, fetchTimeoutMs, options.stack ?? 'failover', options.throttlePacing) : baselineProcess(policy, kms, clock, random, fetchTimeoutMs);
    fleet.push(process);
    if (process.loaded) loads.push(process.loaded);
  }
  // Every process loads the old key before the revoke (no quota yet).
  await clock.advance(1000);
  await Promise.all(loads);

  // The revoke: KMS serves the new key, OSS rejects the old one, the quota applies from now on.
  await clock.advance(1);
  kms.rotate(NEW_KEY);
  kms.startCounting(options.revokeOffsetMs ?? 0);
  const t0 = clock.monotonicNow();

  const newKeyAtMs: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  const waits: number[] = [];
  const errorCodes: Record<string, number> = {};
  let callerErrors = 0;
  let pending = 0;
  let finished = 0;
  const done: boolean[] = new Array<boolean>(n).fill(false);
  const meanGapMs = 1000 / requestsPerSecond;

  const closed = options.workload === 'closed';
  const gap = () => -Math.log(1 - workloadRandom()) * meanGapMs;
  const nextRequest = (i: number, delayMs: number) => {
    clock.setTimeout(() => {
      if (done[i]) return;
      const process = fleet[i] as SimProcess;
      const startedAt = clock.monotonicNow();
      const settle = (errorCode: string | undefined) => {
        waits.push(clock.monotonicNow() - startedAt);
        if (errorCode !== undefined) {
          callerErrors += 1;
          errorCodes[errorCode] = (errorCodes[errorCode] ?? 0) + 1;
        } else if (!done[i] && process.onNewKey()) {
          done[i] = true; // served with the new key: its later requests are warm-path successes
          finished += 1;
        }
      };
      const outcome = process.request();
      if (typeof outcome === 'object') {
        pending += 1;
        void outcome.then((errorCode) => {
          pending -= 1;
          settle(errorCode);
          if (closed) nextRequest(i, gap());
        });
      } else {
        settle(outcome); // answered at once (no wait): the common case of a baseline without a refresh to wait for
        if (closed) nextRequest(i, gap());
      }
      if (!closed) nextRequest(i, gap());
    }, delayMs);
  };
  for (let i = 0; i < n; i++) nextRequest(i, workloadRandom() * meanGapMs);

  const timeline: FleetRevokeResult['timeline'] = [];
  let onNew = 0;
  let waiting = fleet.map((_, i) => i);
  while (clock.monotonicNow() - t0 < horizonMs) {
    await clock.advance(STEP_MS);
    const elapsedMs = clock.monotonicNow() - t0;
    // Sampled every step (100 ms resolution), only for the processes still on the old key.
    waiting = waiting.filter((i) => {
      if (!(fleet[i] as SimProcess).onNewKey()) return true;
      newKeyAtMs[i] = elapsedMs;
      onNew += 1;
      return false;
    });
    if (elapsedMs % 1000 === 0) {
      const second = elapsedMs / 1000 - 1;
      const s = kms.seconds[second];
      timeline.push({ second: second + 1, attempts: s?.attempts ?? 0, throttled: s?.throttled ?? 0, newKeyPercent: round((onNew / n) * 100, 2) });
    }
    if (finished === n && pending === 0) break;
  }
  const unfinishedRequests = pending;
  await Promise.all(fleet.map((p) => p.close()));

  const reached = newKeyAtMs.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const quantileTime = (q: number): number | null => {
    const needed = Math.ceil(q * n);
    return reached.length >= needed ? (reached[needed - 1] as number) : null;
  };
  const totals = kms.totals;
  waits.sort((a, b) => a - b);
  const pick = (q: number) => (waits.length === 0 ? 0 : (waits[Math.min(waits.length - 1, Math.floor(q * waits.length))] as number));
  return {
    policy,
    processes: n,
    quotaQps,
    physicalLimitMs: Math.round((n / quotaQps) * 1000),
    newKeyP50Ms: quantileTime(0.5),
    newKeyP99Ms: quantileTime(0.99),
    newKeyAllMs: quantileTime(1),
    newKeyShare: round(reached.length / n, 4),
    horizonMs,
    kmsAttempts: totals.attempts,
    kmsThrottled: totals.throttled,
    kmsSucceeded: totals.attempts - totals.throttled,
    kmsPeakAttemptsPerSecond: kms.seconds.reduce((peak, s) => Math.max(peak, s?.attempts ?? 0), 0),
    requests: waits.length + unfinishedRequests,
    callerErrors,
    callerErrorCodes: errorCodes,
    unfinishedRequests,
    waitP50Ms: Math.round(pick(0.5)),
    waitP99Ms: Math.round(pick(0.99)),
    waitMaxMs: Math.round(waits.length === 0 ? 0 : (waits[waits.length - 1] as number)),
    timeline,
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'Unknown';
}

/** A process running the real cache over the real failover source, loaded with the old key. */
function oursProcess(
  kms: SimulatedKms,
  clock: HeapVirtualClock,
  random: () => number,
  fetchTimeoutMs: number,
  stack: 'failover' | 'direct',
  throttlePacing: ThrottlePacing | undefined,
): SimProcess {
  const source: SecretSource =
    stack === 'direct' ? kms : new FailoverSecretSource({ sources: [kms], deadlineMs: fetchTimeoutMs, clock, random, ...(throttlePacing ? { throttlePacing } : {}) });
  // One secret per process: a small LRU keeps 10,000 caches in one heap (the default preallocates 1,000 slots each).
  const cache = new SecretCacheClient({ source, clock, random, fetchTimeoutMs, maxEntries: 4 });
  const isNew = (id: string | undefined) => id === NEW_KEY.accessKeyId;
  // The call core ProxyBucket and the Tea adapter share: key from the cache, refreshNow on a rejected key, one retry.
  const client: ManagedKeyClient = {
    provider: cache,
    secretName: SECRET,
    client: 'ali-oss',
    isKeyRejected: (error) => error === OSS_REJECTS_OLD_KEY,
  };
  // OSS (answering at once): the new key is accepted, the old one rejected.
  const oss = (credential: AccessKeyCredential) =>
    isNew(credential.accessKeyId) ? Promise.resolve() : Promise.reject(OSS_REJECTS_OLD_KEY);
  return {
    async request() {
      try {
        await callWithManagedKey(client, oss, true);
        return undefined;
      } catch (error) {
        return codeOf(error);
      }
    },
    onNewKey: () => isNew(cache.peekCredential(SECRET)?.accessKeyId),
    close: () => cache.close(),
    loaded: cache.getCredential(SECRET).then(() => undefined),
  };
}

/** A clock sleep (the simulation's processes only ever wait on the virtual clock). */
function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Whether `work` is still running after `ms` (the deadline timer is cleared when it ends first). */
function timesOut(clock: Clock, work: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(true), ms);
    void work.then(() => {
      clock.clearTimeout(timer);
      resolve(false);
    });
  });
}

/**
 * A baseline process (`official` or `full-jitter`): holds a key, asks the simulated KMS directly with the
 * baseline's retry rule. Reimplemented here from the documented behaviour; only the KMS and clock are shared.
 */
function baselineProcess(policy: Exclude<FleetPolicy, 'ours'>, kms: SimulatedKms, clock: Clock, random: () => number, fetchTimeoutMs: number): SimProcess {
  let heldKeyId = OLD_KEY.accessKeyId;
  const isThrottle = (error: unknown) => error instanceof KmsError && error.retryable;

  /** The official fetch: retries after 2, 4, 8, 10, 10... s (no jitter) within 10 min. */
  const officialFetch = async (): Promise<void> => {
    const deadline = clock.monotonicNow() + 10 * 60_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await kms.getSecretValue({ secretName: SECRET });
        heldKeyId = (JSON.parse(info.secretData) as { AccessKeyId: string }).AccessKeyId;
        return;
      } catch (error) {
        const waitMs = Math.min(10_000, 2000 * 2 ** attempt);
        if (!isThrottle(error) || clock.monotonicNow() + waitMs >= deadline) return;
        await sleep(clock, waitMs);
      }
    }
  };

  if (policy === 'official') {
    let tokens = 5;
    let lastRefillMs = clock.monotonicNow();
    let lock: Promise<void> = Promise.resolve();
    const forcedRefresh = async (): Promise<string | undefined> => {
      // No single flight: each forced refresh fetches, one after the other (the per-secret lock).
      const mine = lock.then(officialFetch);
      lock = mine;
      await mine;
      await sleep(clock, 200);
      // One retry, whatever the refresh did.
      return heldKeyId === NEW_KEY.accessKeyId ? undefined : 'InvalidAccessKeyId';
    };
    return {
      request() {
        if (heldKeyId === NEW_KEY.accessKeyId) return undefined;
        const nowMs = clock.monotonicNow();
        const refill = Math.floor((nowMs - lastRefillMs) / 600_000);
        if (refill > 0) {
          tokens = Math.min(5, tokens + refill);
          lastRefillMs += refill * 600_000;
        }
        if (tokens === 0) return 'InvalidAccessKeyId'; // no token: the one retry with the same key fails at once
        tokens -= 1;
        return forcedRefresh();
      },
      onNewKey: () => heldKeyId === NEW_KEY.accessKeyId,
      close: () => undefined,
    };
  }

  let running: Promise<void> | undefined;
  const jitterFetch = async (): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await kms.getSecretValue({ secretName: SECRET });
        heldKeyId = (JSON.parse(info.secretData) as { AccessKeyId: string }).AccessKeyId;
        return;
      } catch {
        await sleep(clock, Math.floor(random() * Math.min(30_000, 1000 * 2 ** attempt)));
      }
    }
  };
  const waitFor = async (fetch: Promise<void>): Promise<string | undefined> => {
    if (await timesOut(clock, fetch, fetchTimeoutMs)) return 'FetchTimeout';
    return heldKeyId === NEW_KEY.accessKeyId ? undefined : 'InvalidAccessKeyId';
  };
  return {
    request() {
      if (heldKeyId === NEW_KEY.accessKeyId) return undefined;
      running ??= jitterFetch().finally(() => {
        running = undefined;
      });
      return waitFor(running);
    },
    onNewKey: () => heldKeyId === NEW_KEY.accessKeyId,
    close: () => undefined,
  };
}
