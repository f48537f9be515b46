import { HeapVirtualClock } from '../support/heap-virtual-clock.js';
import { checkInvariants } from './check-invariants.js';
import { buildSimStack, SIM_RECOVERY } from './harness.js';
import { KeyRegistry } from './key-registry.js';
import { OwnTimers } from './own-timers.js';
import { ScriptedKms } from './scripted-kms.js';
import { ScriptedOss } from './scripted-oss.js';
import { SimBody } from './sim-body.js';
import { drawPlan, type SimPlan, type WorldEvent } from './sim-plan.js';
import { SimRandom } from './sim-random.js';
import { SimTrace } from './sim-trace.js';
import type { Violation } from './violation.js';

/** Wall-clock time at virtual monotonic 0 (the true wall clock; the library's may be stepped). */
const START_WALL_MS = Date.UTC(2026, 5, 1);
const SECRET_NAME = 'sim-oss-ak';
const STEP_MS = 250;

/** Times of one run that the invariants are judged against (monotonic virtual ms). */
export interface SimTimeline {
  /** `fetch_timeout` of the run. */
  fetchTimeoutMs: number;
  /** From here on KMS answers normally with a key OSS accepts; `undefined` if the run closed before. */
  fixAtMs: number | undefined;
  /** Calls started from here on must succeed: the cache's next attempt after the fix plus 5 s. */
  recoveredByMs: number | undefined;
  /** When `close()` was called. */
  closedAtMs: number | undefined;
  /** When `close()` settled; `undefined`: never. */
  closeSettledAtMs: number | undefined;
  /** Library timers still pending once `close()` had settled, and at the end of the run (the larger). */
  libraryTimersAfterClose: number;
  /** Where the run stopped. */
  endAtMs: number;
  /**
   * The farthest the cache's next attempt was seen (via `getStatus`, sampled every step) while it had no
   * usable value: its first load failed (`failed`), or it is recovering from a rejection of the key it holds
   * (`recovering` with that key remembered as rejected; a key merely in its expiry window is still usable and is
   * refreshed anywhere in the first half of that window, which may be minutes).
   */
  longestNextAttempt: { atMs: number; state: string; inMs: number } | undefined;
}

/** What one run produced. */
export interface SimResult {
  plan: SimPlan;
  trace: SimTrace;
  timeline: SimTimeline;
  violations: Violation[];
}

/** Options of {@link runSimulation}. */
export interface SimRunOptions {
  /** Keep a readable trace of the run (`trace.lines`). */
  verbose?: boolean;
}

/**
 * Runs seed `seed`: draws its plan, builds the real stack on a fresh heap virtual clock against the scripted
 * KMS and OSS, drives the workload and the fault schedule, closes the cache, and checks the invariants. No
 * real I/O and no real timers: the same seed gives the same run.
 */
export async function runSimulation(seed: number, options: SimRunOptions = {}): Promise<SimResult> {
  const verbose = options.verbose === true;
  const stackTraceLimit = Error.stackTraceLimit;
  if (!verbose) Error.stackTraceLimit = 0; // thousands of errors per run; their stacks are not what is checked
  const plan = drawPlan(seed);
  const clock = new HeapVirtualClock(START_WALL_MS);
  const now = () => clock.monotonicNow();
  const trace = new SimTrace(now, verbose);
  const onUnhandled = (reason: unknown) => trace.unhandledRejection(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const timeline = await drive(plan, clock, trace);
    // Unhandled rejections are reported after a macrotask turn: give them two before looking.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { plan, trace, timeline, violations: checkInvariants(plan, trace, timeline, SIM_RECOVERY) };
  } finally {
    process.off('unhandledRejection', onUnhandled);
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function drive(plan: SimPlan, clock: HeapVirtualClock, trace: SimTrace): Promise<SimTimeline> {
  const root = new SimRandom(plan.seed);
  const now = () => clock.monotonicNow();
  const trueWall = () => START_WALL_MS + now();
  const timers = new OwnTimers(clock);
  const registry = new KeyRegistry(plan.credentialKind, plan.stsLifetimeMs, now, trueWall, plan.stsFirstExpiresInMs);
  const rotations = plan.events.filter((event) => event.kind === 'rotate');
  const sources = Array.from(
    { length: plan.sourceCount },
    (_, index) =>
      new ScriptedKms({
        index,
        registry,
        rates: plan.kmsRates,
        chaosEndMs: plan.chaosEndMs,
        stsReissueBeforeMs: plan.stsReissueBeforeMs,
        secretCreatedAtMs: plan.secretCreatedAtMs,
        latencyMs: plan.kmsLatencyMs,
        random: root.fork(`kms-${index}`),
        timers,
        trace,
        trueWall,
        nextRotationAtMs: () => rotations.find((event) => event.atMs > now())?.atMs,
        now,
      }),
  );
  const oss = new ScriptedOss({
    registry,
    latencyMs: plan.ossLatencyMs,
    codeless403Rate: plan.codeless403Rate,
    chaosEndMs: plan.chaosEndMs,
    random: root.fork('oss'),
    timers,
    trace,
    now,
  });
  const timeline: SimTimeline = {
    fetchTimeoutMs: plan.fetchTimeoutMs,
    fixAtMs: undefined,
    recoveredByMs: undefined,
    closedAtMs: undefined,
    closeSettledAtMs: undefined,
    libraryTimersAfterClose: 0,
    endAtMs: 0,
    longestNextAttempt: undefined,
  };

  let closing: Promise<void> | undefined;
  const requestClose = () => {
    if (closing !== undefined) return;
    timeline.closedAtMs = now();
    trace.note('close()');
    closing = stack.close();
    closing.then(
      () => {
        timeline.closeSettledAtMs = now();
      },
      (error: unknown) => {
        timeline.closeSettledAtMs = now();
        trace.note(`close() rejected: ${String(error)}`);
      },
    );
  };
  const closeRandom = root.fork('close');
  const stack = buildSimStack({
    secretName: SECRET_NAME,
    clock,
    random: root.fork('cache').source,
    failoverRandom: root.fork('failover').source,
    sources,
    fetchTimeoutMs: plan.fetchTimeoutMs,
    schedule: plan.schedule,
    ownsSource: plan.ownsSource,
    trace,
    onFetchStart: () => {
      const from = plan.closeDuringRefreshFromMs;
      // Shutdown during a refresh: close while this fetch is still on its way (before KMS can have answered).
      if (from !== undefined && closing === undefined && now() >= from) {
        timers.set(requestClose, closeRandom.between(0, plan.kmsLatencyMs[0]));
      }
    },
  });

  // The workload: Poisson arrivals, plus bursts; each call's body is replayable or a stream.
  const workload = root.fork('workload');
  let accepting = true;
  const startCall = () => {
    if (!accepting) return;
    const body = new SimBody(workload.chance(plan.replayableShare));
    const call = trace.callStarted(body.replayable);
    let outcome: Promise<void>;
    try {
      outcome = stack.call((key) => oss.send(call, key, body), body.replayable);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      () => trace.callSettled(call, undefined),
      (error: unknown) => trace.callSettled(call, error ?? new Error('rejected with nothing')),
    );
  };
  const meanGapMs = 1000 / plan.callsPerSecond;
  const nextArrival = () => {
    timers.set(() => {
      if (!accepting) return;
      startCall();
      nextArrival();
    }, workload.exponential(meanGapMs));
  };
  nextArrival();

  // The fault schedule.
  let lastChangeAtMs = 0;
  for (const event of plan.events) timers.set(() => apply(event), event.atMs);
  function apply(event: WorldEvent): void {
    lastChangeAtMs = Math.max(lastChangeAtMs, now());
    switch (event.kind) {
      case 'rotate': {
        const old = registry.served;
        const key = registry.issue(event.propagationMs);
        trace.note(() => `WORLD: rotate ${old.accessKeyId} -> ${key.accessKeyId} (OSS accepts it in ${event.propagationMs} ms)`);
        if (event.revokeOldAfterMs === 0) registry.revoke(old);
        else if (event.revokeOldAfterMs !== undefined) {
          lastChangeAtMs = Math.max(lastChangeAtMs, now() + event.revokeOldAfterMs);
          timers.set(() => {
            trace.note(`WORLD: revoke ${old.accessKeyId}`);
            registry.revoke(old);
          }, event.revokeOldAfterMs);
        }
        return;
      }
      case 'disable':
        trace.note(`WORLD: ${registry.served.accessKeyId} disabled in RAM (KMS still serves it)`);
        registry.revoke(registry.served);
        return;
      case 'wall-step':
        trace.note(`WORLD: wall clock steps ${event.deltaMs} ms`);
        clock.stepWall(event.deltaMs);
        return;
      case 'burst':
        trace.note(`WORLD: burst of ${event.callers} callers`);
        for (let i = 0; i < event.callers; i++) startCall();
    }
  }

  // End of the chaos: KMS serves a key OSS accepts (a fresh one if the served key was disabled).
  timers.set(() => {
    if (registry.served.revokedAtMs !== undefined) {
      const key = registry.issue(0);
      trace.note(`WORLD: chaos ends; KMS now serves ${key.accessKeyId}`);
    } else trace.note('WORLD: chaos ends');
    const fixAtMs = Math.max(now(), registry.served.acceptedFromMs, lastChangeAtMs, plan.secretCreatedAtMs);
    timers.set(() => {
      if (closing !== undefined) return;
      timeline.fixAtMs = now();
      trace.note('WORLD: fixed (KMS answers normally with a key OSS accepts)');
      // The cache's next attempt after the fix: after the fetch running now (if any) ends, at most a recovery
      // cap later; calls started 5 s after that must succeed.
      const running = trace.fetches.find((fetch) => fetch.endAtMs === undefined);
      const setBound = () => {
        timeline.recoveredByMs = now() + SIM_RECOVERY.capMs + 5_000;
        trace.note(`WORLD: calls started from ${(timeline.recoveredByMs / 1000).toFixed(3)} s on must succeed`);
      };
      if (running === undefined) setBound();
      else void trace.fetchEnd(running).then(setBound);
    }, fixAtMs - now());
  }, plan.chaosEndMs);

  const hardLimitMs = plan.chaosEndMs + 20 * 60_000;
  // Run until the calm window after the recovery bound has passed (or a shutdown fault closed the cache).
  while (closing === undefined && now() < hardLimitMs) {
    await clock.advance(STEP_MS);
    const next = stack.nextAttempt();
    const unusable = next !== undefined && (next.state === 'failed' || (next.state === 'recovering' && next.heldKeyRejected));
    if (next !== undefined && unusable && next.inMs > (timeline.longestNextAttempt?.inMs ?? 0)) {
      timeline.longestNextAttempt = { atMs: now(), state: next.state, inMs: next.inMs };
    }
    if (plan.closeDuringRefreshFromMs !== undefined && now() >= plan.chaosEndMs) requestClose();
    if (timeline.recoveredByMs !== undefined && now() >= timeline.recoveredByMs + plan.calmWindowMs) requestClose();
  }
  requestClose();
  accepting = false;
  // Let every caller settle; a caller that does not within its deadline (plus slack) is a violation.
  const settleLimitMs = now() + plan.fetchTimeoutMs + plan.ossLatencyMs[1] + 60_000;
  let counted = false;
  while (now() < settleLimitMs) {
    await clock.advance(timeline.closeSettledAtMs === undefined ? 1 : STEP_MS);
    if (timeline.closeSettledAtMs !== undefined && !counted) {
      counted = true;
      timeline.libraryTimersAfterClose = clock.pendingTimers - timers.pending;
      if (timeline.libraryTimersAfterClose > 0) trace.note(`${timeline.libraryTimersAfterClose} library timer(s) pending after close()`);
    }
    if (counted && trace.calls.every((call) => call.settledAtMs !== undefined)) break;
  }
  await clock.advance(0);
  timeline.libraryTimersAfterClose = Math.max(timeline.libraryTimersAfterClose, clock.pendingTimers - timers.pending);
  timeline.endAtMs = now();
  return timeline;
}
