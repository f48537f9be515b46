import { nextRecoveryAttempt, DEFAULT_RECOVERY_PACING } from '../../src/cache/recovery-policy.js';
import { parseThrottleHints } from '../../src/kms/throttle-hints.js';
import { DEFAULT_THROTTLE_PACING, ThrottlePacer, type ThrottlePacing } from '../../src/kms/throttle-pacing.js';
import { KmsQuota, type QuotaModel } from './kms-quota.js';
import { seededRandom } from './measure.js';

/**
 * Who recovers in a sweep process:
 * - `ours`: the library's throttle pacing (the real `ThrottlePacer` the failover group uses), straight to KMS;
 * - `agent`: one KMS Agent per host (TTL cache in front of KMS) and processes asking it, re-asked on the cache's
 *   real recovery pace (`nextRecoveryAttempt`) while it serves the rejected key;
 * - `agent-fallback`: the same, and a process whose agent still serves the rejected key asks KMS directly with
 *   the library's throttle pacing;
 * - `official`: the official providers' rule with a thread per request (Java): each rejected request while the
 *   per-secret bucket has tokens (5) queues one more forced refresh on the per-secret lock; each refresh retries
 *   a throttled answer after 2, 4, 8, 10, 10... s without jitter;
 * - `python`: the same rule in a synchronous worker (one request at a time, as under gunicorn's sync workers):
 *   one forced refresh per process, whose retries follow the same fixed steps, then the 200 ms sleep.
 */
export type SweepPolicy = 'ours' | 'agent' | 'agent-fallback' | 'official' | 'python';

/** Options of one sweep cell. */
export interface SweepCellOptions {
  processes: number;
  quotaQps: number;
  policy: SweepPolicy;
  seed: number;
  quotaModel?: QuotaModel;
  /** Where in KMS's second (fixed window) the revoke falls, ms. Default 0. */
  revokeOffsetMs?: number;
  /** KMS sends `x-ratelimit-user` Limit/Remain/TimeLeft on throttled answers. Default no. */
  hints?: boolean;
  /** Processes per host for the agent policies. Default 10. */
  processesPerHost?: number;
  /** The agents' TTL, ms. Default 300 000 (the official agent's). */
  agentTtlMs?: number;
  /** Workload requests per second per process: the first one after the revoke finds the key rejected. Default 2. */
  requestsPerSecond?: number;
  /** KMS round trip, ms. Default 50. */
  kmsLatencyMs?: number;
  /** Stop after this much virtual time, ms. Default 600 000. */
  horizonMs?: number;
  throttlePacing?: ThrottlePacing;
}

/** Figures of one sweep cell (times after the revoke, ms). */
export interface SweepCellResult {
  policy: SweepPolicy;
  processes: number;
  quotaQps: number;
  quotaModel: QuotaModel;
  revokeOffsetMs: number;
  hints: boolean;
  seed: number;
  /** Processes (or hosts, for the agent policies) that KMS must serve: the N of the goal. */
  kmsClients: number;
  /** 1.5 x kmsClients / quota + 2 s, ms. */
  targetMs: number;
  newKeyP50Ms: number | null;
  newKeyAllMs: number | null;
  /** Longest wait of a process from its first rejected request to the new key, ms; what the goal judges. */
  recoveryMaxMs: number | null;
  kmsAttempts: number;
  kmsThrottled: number;
  throttledPerSuccess: number;
  met: boolean;
}

/** A min-heap of (time, id) events; ties in insertion order. */
class EventQueue {
  readonly #times: number[] = [];
  readonly #ids: number[] = [];
  readonly #seqs: number[] = [];
  #seq = 0;

  get size(): number {
    return this.#times.length;
  }

  push(timeMs: number, id: number): void {
    const t = this.#times;
    const ids = this.#ids;
    const seqs = this.#seqs;
    let i = t.length;
    t.push(timeMs);
    ids.push(id);
    seqs.push(this.#seq++);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  pop(): { timeMs: number; id: number } {
    const t = this.#times;
    const top = { timeMs: t[0] as number, id: this.#ids[0] as number };
    const last = t.length - 1;
    this.#swap(0, last);
    t.pop();
    this.#ids.pop();
    this.#seqs.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < t.length && this.#less(l, m)) m = l;
      if (r < t.length && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }

  #less(a: number, b: number): boolean {
    const ta = this.#times[a] as number;
    const tb = this.#times[b] as number;
    return ta < tb || (ta === tb && (this.#seqs[a] as number) < (this.#seqs[b] as number));
  }

  #swap(a: number, b: number): void {
    for (const arr of [this.#times, this.#ids, this.#seqs]) {
      const x = arr[a] as number;
      arr[a] = arr[b] as number;
      arr[b] = x;
    }
  }
}

/** The official providers' waits between tries of a throttled fetch: 2, 4, 8, 10, 10... s (no jitter). */
function officialStepMs(retry: number): number {
  return Math.min(10_000, 2000 * 2 ** retry);
}

/**
 * One cell of the fleet sweep: an emergency revoke at t = 0 (KMS serves the new key, OSS rejects the old one)
 * across `processes` processes sharing one KMS quota, as a discrete-event model in integral virtual ms. The
 * pacing decisions are the library's own code (`ThrottlePacer`, `nextRecoveryAttempt`); what is modelled is
 * the plumbing around them (one fetch chain per process, no per-call deadline): the full stack, cache and
 * failover group included, runs in `fleet-revoke-sim.ts` for the headline rows. Deterministic for a seed.
 */
export function runSweepCell(options: SweepCellOptions): SweepCellResult {
  const { processes: n, quotaQps, policy, seed } = options;
  const quotaModel = options.quotaModel ?? 'fixed-window';
  const revokeOffsetMs = options.revokeOffsetMs ?? 0;
  const hints = options.hints === true;
  const perHost = options.processesPerHost ?? 10;
  const agentTtlMs = options.agentTtlMs ?? 300_000;
  const latencyMs = options.kmsLatencyMs ?? 50;
  const horizonMs = options.horizonMs ?? 600_000;
  const meanGapMs = 1000 / (options.requestsPerSecond ?? 2);
  const pacing = options.throttlePacing ?? DEFAULT_THROTTLE_PACING;
  const random = seededRandom(seed * 7919 + n + quotaQps * 31 + revokeOffsetMs);
  const quota = new KmsQuota(quotaQps, quotaModel);
  quota.start(0, revokeOffsetMs);
  const usesAgent = policy === 'agent' || policy === 'agent-fallback';
  const hosts = usesAgent ? Math.ceil(n / perHost) : 0;
  // With a direct fallback every process ends up asking KMS itself: the goal's N is the processes again.
  const kmsClients = policy === 'agent' ? hosts : n;

  let attempts = 0;
  let throttled = 0;
  /** One KMS GetSecretValue arriving at `atMs`: admitted, or throttled with the hints KMS would send. */
  const askKms = (atMs: number) => {
    attempts += 1;
    const admission = quota.admit(atMs);
    if (admission.admitted) return { ok: true as const };
    throttled += 1;
    const hinted = hints ? parseThrottleHints({ 'x-ratelimit-user': `Limit:${quotaQps},Remain:0,TimeLeft:${admission.timeLeftMs}` }) : undefined;
    return { ok: false as const, hints: hinted };
  };
  const gap = () => Math.max(1, Math.round(-Math.log(1 - random()) * meanGapMs));

  // Ids: processes 0..n-1, agents n..n+hosts-1.
  const queue = new EventQueue();
  const onNewKeyAt: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  const detectedAt = new Float64Array(n);
  const pacers = Array.from({ length: n + hosts }, () => new ThrottlePacer(pacing));
  const retries = new Int32Array(n + hosts);
  const agentHasNewAt: (number | undefined)[] = new Array<number | undefined>(hosts).fill(undefined);
  const recoverySteps = new Int32Array(n);
  const extraRefreshes = new Int32Array(n);
  const mode = new Int8Array(n); // 0: asking the agent, 1: asking KMS (agent-fallback)

  for (let i = 0; i < n; i++) {
    const detectAtMs = gap(); // the first request after the revoke finds the key rejected
    detectedAt[i] = detectAtMs;
    queue.push(detectAtMs, i);
    if (policy === 'official') {
      // Requests arriving during the first refresh (a thread each) take a token and queue one more refresh.
      let extra = 0;
      for (let t = detectAtMs + gap(); extra < 4 && t < detectAtMs + 2000; t += gap()) extra++;
      extraRefreshes[i] = extra;
    }
  }
  for (let h = 0; h < hosts; h++) queue.push(Math.floor(random() * agentTtlMs), n + h); // each agent's TTL ends

  let remaining = n;
  const finish = (i: number, atMs: number) => {
    if (onNewKeyAt[i] !== undefined) return;
    onNewKeyAt[i] = atMs;
    remaining -= 1;
  };

  while (queue.size > 0 && remaining > 0) {
    const { timeMs: now, id } = queue.pop();
    if (now > horizonMs) break;
    if (id >= n) {
      // An agent refreshing on its TTL (retrying a throttled refresh on the library's pacing).
      const h = id - n;
      const answer = askKms(now);
      if (answer.ok) agentHasNewAt[h] = now + latencyMs;
      else queue.push(now + latencyMs + (pacers[id] as ThrottlePacer).onThrottled(now + latencyMs, random(), answer.hints), id);
      continue;
    }
    const i = id;
    if (usesAgent && mode[i] === 0) {
      const agentNew = agentHasNewAt[Math.floor(i / perHost)];
      const answeredAt = now + 1; // the agent answers from memory
      if (agentNew !== undefined && agentNew <= now) {
        finish(i, answeredAt);
        continue;
      }
      if (policy === 'agent-fallback') {
        mode[i] = 1; // the agent still serves the rejected key: ask KMS directly
        queue.push(answeredAt, i);
        continue;
      }
      // Re-ask the agent on the cache's recovery pace (it keeps confirming the rejected key).
      recoverySteps[i] = (recoverySteps[i] ?? 0) + 1;
      const due = nextRecoveryAttempt(
        { nowMs: answeredAt, confirmations: recoverySteps[i] as number, lastAnswerAtMs: answeredAt, random: random() },
        DEFAULT_RECOVERY_PACING,
      ).dueAtMs;
      queue.push(Math.max(answeredAt + 1, Math.round(due)), i);
      continue;
    }
    const answer = askKms(now);
    const answeredAt = now + latencyMs;
    if (answer.ok) {
      if (policy === 'official' && extraRefreshes[i]! > 0) {
        // The queued forced refreshes run one after the other, each a KMS call, before the waiting threads retry.
        extraRefreshes[i] = (extraRefreshes[i] ?? 0) - 1;
        finish(i, answeredAt);
        queue.push(answeredAt, i);
        continue;
      }
      finish(i, policy === 'python' || policy === 'official' ? answeredAt + 200 : answeredAt);
      continue;
    }
    let waitMs: number;
    if (policy === 'official' || policy === 'python') {
      waitMs = officialStepMs(retries[i] as number);
      retries[i] = (retries[i] ?? 0) + 1;
    } else {
      waitMs = (pacers[i] as ThrottlePacer).onThrottled(answeredAt, random(), answer.hints);
    }
    queue.push(answeredAt + waitMs, i);
  }
  // Extra refreshes still queued for processes already on the new key are KMS load too.
  if (policy === 'official') {
    while (queue.size > 0) {
      const { timeMs: now, id } = queue.pop();
      if (now > horizonMs || id >= n) continue;
      const answer = askKms(now);
      if (answer.ok && extraRefreshes[id]! > 0) {
        extraRefreshes[id] = (extraRefreshes[id] ?? 0) - 1;
        queue.push(now + latencyMs, id);
      } else if (!answer.ok) {
        queue.push(now + latencyMs + officialStepMs(retries[id] as number), id);
        retries[id] = (retries[id] ?? 0) + 1;
      }
    }
  }

  const reached = onNewKeyAt.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const at = (q: number) => {
    const needed = Math.ceil(q * n);
    return reached.length >= needed ? (reached[needed - 1] as number) : null;
  };
  const targetMs = Math.round((1.5 * kmsClients * 1000) / quotaQps + 2000);
  // The longest any process waited from its first rejected request to the new key (the workload's own
  // detection delay, up to a few seconds for the last of 20,000 processes at 2 requests/s, left out).
  let recoveryMaxMs: number | null = 0;
  for (let i = 0; i < n; i++) {
    const t = onNewKeyAt[i];
    if (t === undefined) {
      recoveryMaxMs = null;
      break;
    }
    recoveryMaxMs = Math.max(recoveryMaxMs, t - (detectedAt[i] as number));
  }
  const succeeded = attempts - throttled;
  const throttledPerSuccess = succeeded === 0 ? Infinity : Math.round((throttled / succeeded) * 100) / 100;
  const all = at(1);
  return {
    policy,
    processes: n,
    quotaQps,
    quotaModel,
    revokeOffsetMs,
    hints,
    seed,
    kmsClients,
    targetMs,
    newKeyP50Ms: at(0.5),
    newKeyAllMs: all,
    recoveryMaxMs,
    kmsAttempts: attempts,
    kmsThrottled: throttled,
    throttledPerSuccess,
    met: recoveryMaxMs !== null && recoveryMaxMs <= targetMs && throttledPerSuccess < 2,
  };
}
