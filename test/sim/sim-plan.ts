import type { CredentialKind } from './key-registry.js';
import type { KmsFaultRates } from './scripted-kms.js';
import { SimRandom } from './sim-random.js';

/** The kinds of fault a run can enable (swarm testing: each seed enables a random subset). */
export const FAULT_KINDS = [
  'kms-hang',
  'kms-503',
  'kms-throttle',
  'kms-garbage',
  'kms-missing-field',
  'secret-created-late',
  'disabled-before-rotation',
  'late-propagation',
  'rotations-close-together',
  'rotations',
  'codeless-403',
  'wall-steps',
  'shutdown-during-refresh',
  'bursts',
  'sts',
  'sts-near-expiry',
  'two-sources',
  'short-fetch-timeout',
  'short-schedule',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A change of the world at a planned time (monotonic virtual ms). */
export type WorldEvent =
  | { atMs: number; kind: 'rotate'; propagationMs: number; revokeOldAfterMs: number | undefined }
  | { atMs: number; kind: 'disable' }
  | { atMs: number; kind: 'wall-step'; deltaMs: number }
  | { atMs: number; kind: 'burst'; callers: number };

/** Everything one seed decides before the run starts. */
export interface SimPlan {
  seed: number;
  faults: FaultKind[];
  credentialKind: CredentialKind;
  stsLifetimeMs: number;
  /** STS: lifetime left of the first credential. */
  stsFirstExpiresInMs: number;
  /** STS: while the chaos lasts, KMS replaces its credential only when less than this is left (near-expiry answers). */
  stsReissueBeforeMs: number;
  sourceCount: 1 | 2;
  kmsRates: KmsFaultRates;
  kmsLatencyMs: [number, number];
  ossLatencyMs: [number, number];
  codeless403Rate: number;
  fetchTimeoutMs: number;
  /** `undefined`: the library's defaults (6 h / 5 min / 10 min). */
  schedule: { rotationIntervalMs: number; delayIntervalMs: number; jitterMaxMs: number } | undefined;
  ownsSource: boolean;
  /** Mean arrival rate of calls, per virtual second. */
  callsPerSecond: number;
  /** Share of calls with a replayable body. */
  replayableShare: number;
  /** Faults (KMS, code-less 403s, rotations, steps) happen before this time only. */
  chaosEndMs: number;
  /** The secret exists from this time on (0: from the start). */
  secretCreatedAtMs: number;
  events: WorldEvent[];
  /** `close()` while a fetch runs, at the first fetch from this time on; `undefined`: close at the end. */
  closeDuringRefreshFromMs: number | undefined;
  /** How long calls go on after the recovery bound, to check that they succeed. */
  calmWindowMs: number;
}

/** Draws the plan of run `seed`: which faults, at which rates, and the world's events. */
export function drawPlan(seed: number): SimPlan {
  const r = new SimRandom(seed).fork('plan');
  const faults = FAULT_KINDS.filter(() => r.chance(0.35));
  const on = (kind: FaultKind) => faults.includes(kind);
  const rate = (kind: FaultKind, max: number) => (on(kind) ? r.between(0.02, max) : 0);
  const chaosEndMs = Math.round(r.between(8_000, 75_000));
  const sts = on('sts');
  const stsLifetimeMs = Math.round(r.between(30_000, 240_000));
  const events: WorldEvent[] = [];
  const inChaos = (fromMs = 1_000) => Math.round(r.between(fromMs, chaosEndMs));
  const propagation = () => (on('late-propagation') && r.chance(0.7) ? Math.round(r.between(500, 15_000)) : 0);

  if (on('disabled-before-rotation')) {
    const atMs = inChaos();
    events.push({ atMs, kind: 'disable' });
    const fixAtMs = atMs + Math.round(r.between(1_000, 40_000));
    if (fixAtMs < chaosEndMs) events.push({ atMs: fixAtMs, kind: 'rotate', propagationMs: propagation(), revokeOldAfterMs: 0 });
  }
  if (on('rotations-close-together')) {
    let atMs = inChaos();
    const cycles = r.int(2, 4);
    for (let i = 0; i < cycles; i++) {
      events.push({ atMs, kind: 'rotate', propagationMs: propagation(), revokeOldAfterMs: 0 });
      atMs += Math.round(r.pick([1_000, 1_000, r.between(200, 2_500)]));
    }
  }
  if (on('rotations') || (on('late-propagation') && !events.some((e) => e.kind === 'rotate'))) {
    for (let i = r.int(1, 3); i > 0; i--) {
      events.push({ atMs: inChaos(), kind: 'rotate', propagationMs: propagation(), revokeOldAfterMs: r.pick([0, 2_000, 20_000, undefined]) });
    }
  }
  if (on('wall-steps')) {
    for (let i = r.int(1, 3); i > 0; i--) {
      const magnitudeMs = sts ? r.between(100, stsLifetimeMs / 10) : r.pick([r.between(100, 5_000), r.between(60_000, 2 * 3_600_000)]);
      events.push({ atMs: inChaos(0), kind: 'wall-step', deltaMs: Math.round(r.chance(0.5) ? magnitudeMs : -magnitudeMs) });
    }
  }
  if (on('bursts')) {
    for (let i = r.int(1, 3); i > 0; i--) events.push({ atMs: inChaos(0), kind: 'burst', callers: r.int(10, 120) });
  }
  events.sort((a, b) => a.atMs - b.atMs);

  const kmsLatencyMin = r.between(2, 80);
  const ossLatencyMin = r.between(2, 50);
  const plan: SimPlan = {
    seed,
    faults,
    credentialKind: sts ? 'sts' : 'access-key',
    stsLifetimeMs,
    stsFirstExpiresInMs: on('sts-near-expiry') ? Math.round(r.between(1_000, 20_000)) : stsLifetimeMs,
    stsReissueBeforeMs: on('sts-near-expiry') ? Math.round(r.between(200, 5_000)) : Math.round(stsLifetimeMs / 3),
    sourceCount: on('two-sources') ? 2 : 1,
    kmsRates: {
      hang: rate('kms-hang', 0.3),
      unavailable: rate('kms-503', 0.6),
      throttle: rate('kms-throttle', 0.7),
      garbage: rate('kms-garbage', 0.3),
      missingField: rate('kms-missing-field', 0.3),
    },
    kmsLatencyMs: [kmsLatencyMin, kmsLatencyMin + r.pick([0, r.between(0, 300), r.between(0, 2_000)])],
    ossLatencyMs: [ossLatencyMin, ossLatencyMin + r.pick([r.between(0, 100), r.between(0, 1_000)])],
    codeless403Rate: rate('codeless-403', 0.3),
    fetchTimeoutMs: on('short-fetch-timeout') ? r.pick([2_000, 5_000, 10_000]) : 30_000,
    schedule: on('short-schedule')
      ? { rotationIntervalMs: Math.round(r.between(5_000, 60_000)), delayIntervalMs: Math.round(r.between(0, 5_000)), jitterMaxMs: Math.round(r.between(0, 5_000)) }
      : undefined,
    ownsSource: r.chance(0.5),
    callsPerSecond: r.pick([0.5, 2, 5, 10]),
    replayableShare: r.pick([1, 0.8, 0.5, 0]),
    chaosEndMs,
    secretCreatedAtMs: on('secret-created-late') ? Math.round(r.between(0, chaosEndMs)) : 0,
    events,
    closeDuringRefreshFromMs: on('shutdown-during-refresh') ? inChaos(0) : undefined,
    calmWindowMs: 10_000,
  };
  // A KMS slower than a quarter of fetch_timeout would be an outage, not a KMS that "answers normally" after
  // the chaos (clamped after every draw, so the draws of other seeds stay as they were).
  const maxLatencyMs = plan.fetchTimeoutMs / 4;
  plan.kmsLatencyMs = [Math.min(plan.kmsLatencyMs[0], maxLatencyMs), Math.min(plan.kmsLatencyMs[1], maxLatencyMs)];
  return plan;
}
