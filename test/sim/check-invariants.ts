import type { SimPlan } from './sim-plan.js';
import type { RejectReport, SimTrace } from './sim-trace.js';
import type { SimTimeline } from './run-simulation.js';
import { secondsOf, type InvariantName, type Violation } from './violation.js';

/** Slack on every time bound, ms (the virtual clock is exact; this only absorbs same-instant ordering). */
export const SLACK_MS = 5;
/** Detailed violations kept per invariant and run; the rest are counted in one line. */
const MAX_DETAILED = 3;
/** OSS codes that mean the key was rejected (the AK-expire handler's defaults). */
const REJECTION_CODES: ReadonlySet<string> = new Set(['InvalidAccessKeyId', 'SecurityTokenExpired', 'InvalidSecurityToken']);

/** The recovery pacing the run was configured with. */
export interface RecoveryBounds {
  minIntervalMs: number;
  capMs: number;
}

/**
 * Checks every invariant on the trace of one finished run (see `INVARIANTS` in violation.ts for the list).
 *
 * "The cache knew key K was rejected at sequence point s" is defined from outside the cache: a call reported K
 * rejected (the cache's `reject` event, not a mere suspicion) before s, and since the first such report of the
 * current period neither did a request signed with K succeed and get reported (`reportKeyAccepted`) nor did the
 * cache receive K from a KMS answer to a fetch it started after that report. The last clause lets the cache try
 * a key again that KMS keeps serving (OSS may accept a new key late: that is the only way to find out); a key
 * from an answer that predates the report does not count. A period starts at the first report after the last
 * clearing event: further reports before it is cleared add nothing (issue 18 finding 4: a fetch sent between
 * two reports answers the first).
 */
export function checkInvariants(plan: SimPlan, trace: SimTrace, timeline: SimTimeline, recovery: RecoveryBounds): Violation[] {
  const knowledge = new RejectionKnowledge(trace);
  const found = new Map<InvariantName, Violation[]>();
  const add = (invariant: InvariantName, atMs: number, detail: string, callId?: number) => {
    const list = found.get(invariant) ?? [];
    list.push({ invariant, seed: plan.seed, atMs, detail, ...(callId === undefined ? {} : { callId }) });
    found.set(invariant, list);
  };
  const closedAtMs = timeline.closedAtMs ?? Infinity;

  for (const call of trace.calls) {
    // I1: deadline.
    const last = call.sends.at(-1);
    const lastRequestMs = last === undefined ? 0 : (last.endAtMs ?? timeline.endAtMs) - last.atMs;
    const boundMs = call.startedAtMs + timeline.fetchTimeoutMs + lastRequestMs + SLACK_MS;
    if (call.settledAtMs === undefined) {
      add('deadline', call.startedAtMs, `started at ${secondsOf(call.startedAtMs)}, never settled (run ended at ${secondsOf(timeline.endAtMs)})`, call.id);
    } else if (call.settledAtMs > boundMs) {
      const waited = call.settledAtMs - call.startedAtMs;
      add(
        'deadline',
        call.settledAtMs,
        `waited ${waited} ms > fetch_timeout ${timeline.fetchTimeoutMs} ms + last OSS request ${Math.round(lastRequestMs)} ms ` +
          `(${call.ok ? 'succeeded' : `failed: ${call.errorCode}`}; ${describeSends(call.sends)})`,
        call.id,
      );
    }

    // I2: no request signed with a key known rejected.
    for (const send of call.sends) {
      const report = knowledge.knownRejected(send.accessKeyId, send.seq, true);
      if (report === undefined) continue;
      add(
        'rejected-key-sent',
        send.atMs,
        `attempt ${send.attempt} signed with ${send.accessKeyId} at ${secondsOf(send.atMs)}, reported rejected at ` +
          `${secondsOf(report.atMs)} and neither accepted since nor served again by KMS after the report (call started ${secondsOf(call.startedAtMs)})`,
        call.id,
      );
    }

    // I4: recovery.
    const settled = call.settledAtMs;
    if (timeline.recoveredByMs !== undefined && call.startedAtMs >= timeline.recoveredByMs && settled !== undefined && settled < closedAtMs && call.ok === false) {
      const first = call.sends[0];
      const couldNotKnow =
        !call.replayable &&
        call.freshBody &&
        first !== undefined &&
        REJECTION_CODES.has(first.result ?? '') &&
        knowledge.knownRejected(first.accessKeyId, first.seq, true) === undefined;
      if (!couldNotKnow) {
        add(
          'recovery',
          call.startedAtMs,
          `started ${secondsOf(call.startedAtMs)} (KMS fixed at ${secondsOf(timeline.fixAtMs ?? 0)}, calls from ` +
            `${secondsOf(timeline.recoveredByMs)} on must succeed), failed: ${call.errorCode} (${describeSends(call.sends)})`,
          call.id,
        );
      }
    }

    // I5: body resent.
    if (!call.replayable && call.bodySends > 1) {
      add('body-resent', call.sends[1]?.atMs ?? call.startedAtMs, `stream body sent ${call.bodySends} times (${describeSends(call.sends)})`, call.id);
    }

    // I8: retry while the key keeps changing.
    const lastSend = call.sends.at(-1);
    if (
      call.replayable &&
      call.ok === false &&
      settled !== undefined &&
      lastSend?.endAtMs !== undefined &&
      settled < closedAtMs &&
      settled < call.startedAtMs + timeline.fetchTimeoutMs &&
      REJECTION_CODES.has(call.errorCode ?? '')
    ) {
      const tried = new Set(call.sends.map((send) => send.accessKeyId));
      const settleSeq = call.settleSeq ?? Infinity;
      const deadlineMs = call.startedAtMs + timeline.fetchTimeoutMs;
      const newKey = (f: (typeof trace.fetches)[number]) => f.outcome === 'ok' && f.accessKeyId !== undefined && !tried.has(f.accessKeyId);
      // Either the cache already held a key the call had not tried when it gave up...
      const latest = trace.fetches.filter((f) => f.outcome === 'ok' && f.accessKeyId !== undefined && (f.endSeq ?? Infinity) < settleSeq).at(-1);
      const heldUntried = latest !== undefined && newKey(latest) && knowledge.knownRejected(latest.accessKeyId as string, settleSeq, false) === undefined;
      // ...or the ask that reporting its last rejection joined or started brought one within the deadline (the
      // fetch running at that rejection, else the first one started within the minimum interval after it and
      // before the call gave up: a fetch started later by another event is no evidence against this call).
      const rejectedAtMs = lastSend.endAtMs as number;
      const next =
        trace.fetches.find((f) => f.atMs <= rejectedAtMs && (f.endAtMs ?? Infinity) >= rejectedAtMs) ??
        trace.fetches.find((f) => f.atMs >= rejectedAtMs && f.atMs <= Math.min(rejectedAtMs + recovery.minIntervalMs, settled));
      const askedUntried = next !== undefined && newKey(next) && (next.endAtMs ?? Infinity) < deadlineMs;
      const evidence = heldUntried ? latest : askedUntried ? next : undefined;
      if (evidence !== undefined) {
        add(
          'retry-while-key-changes',
          settled,
          `failed with ${call.errorCode} at ${secondsOf(settled)}, before its deadline ${secondsOf(deadlineMs)}, although the cache ` +
            `${heldUntried ? 'held' : 'fetched'} ${evidence.accessKeyId} (fetch ${secondsOf(evidence.atMs)}-${secondsOf(evidence.endAtMs ?? 0)}) ` +
            `that the call never tried (${describeSends(call.sends)})`,
          call.id,
        );
      }
    }
  }

  checkPace(trace, knowledge, recovery, add);

  // I4, first half: while the cache has no usable value, its next attempt is never farther than the recovery cap.
  const longest = timeline.longestNextAttempt;
  if (longest !== undefined && longest.inMs > recovery.capMs + recovery.minIntervalMs + SLACK_MS) {
    add(
      'recovery',
      longest.atMs,
      `getStatus() at ${secondsOf(longest.atMs)} says state ${longest.state} with the next attempt ${secondsOf(longest.inMs)} away ` +
        `(more than the ${secondsOf(recovery.capMs)} recovery cap + ${secondsOf(recovery.minIntervalMs)})`,
    );
  }

  // I6: unhandled rejections.
  for (const { atMs, reason } of trace.unhandled) add('unhandled-rejection', atMs, reason);

  // I7: timers after close.
  if (timeline.closedAtMs !== undefined && timeline.closeSettledAtMs === undefined) {
    add('timers-after-close', timeline.closedAtMs, `close() called at ${secondsOf(timeline.closedAtMs)} never settled`);
  }
  if (timeline.libraryTimersAfterClose > 0) {
    add('timers-after-close', timeline.closeSettledAtMs ?? timeline.endAtMs, `${timeline.libraryTimersAfterClose} library timer(s) still pending after close() settled`);
  }

  const violations: Violation[] = [];
  for (const list of found.values()) {
    violations.push(...list.slice(0, MAX_DETAILED));
    if (list.length > MAX_DETAILED) {
      const first = list[0] as Violation;
      violations.push({ invariant: first.invariant, seed: plan.seed, atMs: first.atMs, detail: `... and ${list.length - MAX_DETAILED} more of this invariant in this run` });
    }
  }
  return violations;
}

/** I3: one fetch in flight per secret (and one request per KMS endpoint); fetches paced by the minimum interval. */
function checkPace(
  trace: SimTrace,
  knowledge: RejectionKnowledge,
  recovery: RecoveryBounds,
  add: (invariant: InvariantName, atMs: number, detail: string) => void,
): void {
  const fetches = trace.fetches;
  for (let i = 1; i < fetches.length; i++) {
    const previous = fetches[i - 1] as (typeof fetches)[number];
    const fetch = fetches[i] as (typeof fetches)[number];
    if (previous.endSeq === undefined || fetch.seq < previous.endSeq) {
      add('kms-pace', fetch.atMs, `fetch ${i + 1} started at ${secondsOf(fetch.atMs)} while fetch ${i} (from ${secondsOf(previous.atMs)}) was still running`);
      continue;
    }
    const gapMs = fetch.atMs - (previous.endAtMs ?? fetch.atMs);
    if (gapMs >= recovery.minIntervalMs) continue;
    // The first ask of an episode: a rejection report, of a key not already known rejected, after the previous
    // fetch was sent (its answer cannot show a rotation since).
    const fresh = trace.rejects.find(
      (r) => !r.suspected && r.seq > previous.seq && r.seq < fetch.seq && knowledge.knownRejected(r.accessKeyId, r.seq, false) === undefined,
    );
    if (fresh !== undefined) continue;
    const between = trace.rejects.filter((r) => r.seq > previous.seq && r.seq < fetch.seq);
    const suspicions = between.filter((r) => r.suspected).length;
    add(
      'kms-pace',
      fetch.atMs,
      `fetch ${i + 1} (${fetch.trigger ?? '?'}) started at ${secondsOf(fetch.atMs)}, ${Math.round(gapMs)} ms after fetch ${i} ` +
        `(${previous.trigger ?? '?'}) ended (${previous.outcome}${previous.accessKeyId === undefined ? '' : ` ${previous.accessKeyId}`}), ` +
        `with no fresh rejection report since fetch ${i} started (${between.length - suspicions} repeated report(s), ${suspicions} suspicion(s))`,
    );
  }
  const bySource = new Map<number, typeof trace.asks>();
  for (const ask of trace.asks) bySource.set(ask.source, [...(bySource.get(ask.source) ?? []), ask]);
  for (const [source, asks] of bySource) {
    for (let i = 1; i < asks.length; i++) {
      const previous = asks[i - 1] as (typeof asks)[number];
      const ask = asks[i] as (typeof asks)[number];
      if (previous.endSeq === undefined || ask.seq < previous.endSeq) {
        add('kms-pace', ask.atMs, `KMS endpoint ${source} got a request at ${secondsOf(ask.atMs)} while one from ${secondsOf(previous.atMs)} was unanswered`);
      }
    }
  }
}

/** What the cache was told about rejected keys, queried by sequence point. */
class RejectionKnowledge {
  readonly #reports = new Map<string, RejectReport[]>();

  constructor(private readonly trace: SimTrace) {
    for (const report of trace.rejects) {
      if (report.suspected) continue;
      const list = this.#reports.get(report.accessKeyId) ?? [];
      list.push(report);
      this.#reports.set(report.accessKeyId, list);
    }
  }

  /**
   * The report that made `accessKeyId` known rejected at sequence point `seq`, or `undefined` if it was not.
   * With `servedAgainClears`, a KMS answer with the key to a fetch started after the report clears it.
   */
  knownRejected(accessKeyId: string, seq: number, servedAgainClears: boolean): RejectReport | undefined {
    const reports = this.#reports.get(accessKeyId);
    if (reports === undefined) return undefined;
    // Acceptance, or (with servedAgainClears) a KMS answer with the key to a fetch started after `since`, ended before `until`.
    const cleared = (since: number, until: number) =>
      this.trace.accepts.some((a) => a.accessKeyId === accessKeyId && a.seq > since && a.seq < until) ||
      (servedAgainClears &&
        this.trace.fetches.some((f) => f.accessKeyId === accessKeyId && f.seq > since && f.endSeq !== undefined && f.endSeq < until));
    // The report that opened the current period of knowledge: later reports of the same key, before anything
    // cleared it, add nothing (a fetch sent between two reports answers the first one).
    let open: RejectReport | undefined;
    for (const r of reports) {
      if (r.seq >= seq) break;
      if (open !== undefined && cleared(open.seq, r.seq)) open = undefined;
      open ??= r;
    }
    if (open === undefined || cleared(open.seq, seq)) return undefined;
    return open;
  }
}

function describeSends(sends: readonly { attempt: number; accessKeyId: string; atMs: number; result: string | undefined }[]): string {
  if (sends.length === 0) return 'no request sent';
  return sends.map((s) => `#${s.attempt} ${s.accessKeyId} at ${secondsOf(s.atMs)} -> ${s.result ?? 'in flight'}`).join(', ');
}
