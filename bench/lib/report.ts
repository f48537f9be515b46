import type { ColdStartResult } from '../cold-start.js';
import { coldProcessMarkdown } from '../cold-process.js';
import { renderFleetRevokeMarkdown, type FleetRevokeBenchResult } from '../fleet-revoke.js';
import type { FleetSimulationResult } from '../fleet-simulation.js';
import type { SharedCacheKmsLoadResult } from '../kms-load.js';
import type { MemoryResult } from '../memory.js';
import type { OverheadResult } from '../overhead.js';
import type { HoldResult } from '../hold-doomed-requests.js';
import type { RecoveryResult } from '../recovery.js';
import type { RotationCyclesResult } from '../rotation-cycles.js';
import type { ClientOnlyOverheadResult } from '../overhead-client-only.js';
import type { RotationStormResult } from '../rotation-storm.js';
import { providerOverheadRows, type ProviderOverheadResult } from '../provider-overhead.js';
import { round } from './measure.js';

/** Output of `bench/cache-kms-calls.ts` (owned by the cache), run as a child process. */
export interface CacheKmsCallsOutput {
  /** Its JSON line, parsed. */
  json: unknown;
  /** Its markdown tables, verbatim. */
  markdown: string;
}

/** Everything `bench/results.json` holds. */
export interface BenchResults {
  meta: {
    node: string;
    date: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    mode: 'full' | 'quick';
    durationMs: number;
  };
  overhead: OverheadResult;
  overheadClientOnly: ClientOnlyOverheadResult;
  rotationStorm: RotationStormResult;
  rotationCycles: RotationCyclesResult;
  kmsLoad: SharedCacheKmsLoadResult;
  fleet: FleetSimulationResult;
  fleetRevoke: FleetRevokeBenchResult;
  memory: MemoryResult;
  coldStart: ColdStartResult;
  recovery: RecoveryResult;
  hold: HoldResult;
  /** ProxyBucket over a `credentialsProvider` (bench/provider-overhead.ts); absent in results of older runs. */
  providerOverhead?: ProviderOverheadResult;
  /** Absent when the script is missing or failed (then `cacheKmsCallsError` says why). */
  cacheKmsCalls?: CacheKmsCallsOutput;
  cacheKmsCallsError?: string;
  /** Each quality target with its figure. */
  targets: TargetCheck[];
}

/** One quality bar of DESIGN §5 with the measured figure. */
export interface TargetCheck {
  name: string;
  target: string;
  figure: string;
  met: boolean;
}

const MB = 1024 * 1024;
/** The recovery workload's call spacing (see bench/recovery.ts). */
const CALLS_EVERY_MS = 50;

/** The DESIGN §5 targets, judged from the figures (a report, not an assertion). */
export function checkTargets(r: Omit<BenchResults, 'targets' | 'meta'>): TargetCheck[] {
  const perInterval = r.kmsLoad.runs.map((run) => run.kmsCallsPerSecretPerInterval);
  return [
    { name: 'overhead: throughput ratio', target: '>= 0.97', figure: String(r.overhead.throughputRatio), met: r.overhead.throughputRatio >= 0.97 },
    { name: 'rotation storm: caller errors', target: '0', figure: String(r.rotationStorm.errors), met: r.rotationStorm.errors === 0 },
    { name: 'rotation storm: KMS calls', target: '1', figure: String(r.rotationStorm.kmsCalls), met: r.rotationStorm.kmsCalls === 1 },
    { name: 'rotation cycles: caller errors', target: '0', figure: String(r.rotationCycles.errors), met: r.rotationCycles.errors === 0 },
    {
      name: `KMS calls per secret per interval (${r.kmsLoad.runs.map((run) => run.buckets).join('/')} buckets)`,
      target: '<= 1',
      figure: perInterval.join(' / '),
      met: perInterval.every((v) => v <= 1) && r.kmsLoad.runs.every((run) => run.errors === 0),
    },
    { name: 'heap growth', target: '< 5 MB', figure: `${round(r.memory.heapGrowthBytes / MB, 2)} MB`, met: r.memory.heapGrowthBytes < 5 * MB },
    { name: 'open handles after shutdown', target: '0 new', figure: String(r.memory.newResources.length), met: r.memory.newResources.length === 0 },
    ...recoveryTargets(r.recovery),
    ...fleetRevokeTargets(r.fleetRevoke),
  ];
}

/** The fleet-revoke goal of issue 14 (DESIGN §5), judged on this library's policy. */
function fleetRevokeTargets(f: FleetRevokeBenchResult): TargetCheck[] {
  const g = f.goal;
  const allS = g.allOnNewKeyMs === null ? `not within ${f.horizonMs / 1000} s` : `${round(g.allOnNewKeyMs / 1000, 1)} s`;
  return [
    {
      name: `fleet revoke: all ${g.processes.toLocaleString('en')} processes on the new key (${g.quotaQps} QPS quota)`,
      target: `<= 1.5x N/quota (${round(g.allOnNewKeyTargetMs / 1000, 1)} s)`,
      figure: allS,
      met: g.allOnNewKeyMs !== null && g.allOnNewKeyMs <= g.allOnNewKeyTargetMs,
    },
    {
      name: 'fleet revoke: throttled KMS attempts per successful one',
      target: '< 2',
      figure: String(g.throttledPerSuccess),
      met: g.throttledPerSuccess < 2,
    },
  ];
}

/** The recovery targets of issue 11 / DESIGN §5, judged from the recovery figures. */
function recoveryTargets(v: RecoveryResult): TargetCheck[] {
  const kmsPerSecond = v.disabled.kmsCallsWhileDisabled / (v.disabled.disabledForMs / 1000);
  return [
    {
      name: 'recovery: disabled key, calls succeed again after the KMS rotation',
      target: '<= 5 s',
      figure: v.disabled.recoveredAfterMs === undefined ? 'never' : `${v.disabled.recoveredAfterMs} ms`,
      met: v.disabled.recoveredAfterMs !== undefined && v.disabled.recoveredAfterMs <= 5000,
    },
    { name: 'recovery: KMS calls per second while disabled', target: '<= 1', figure: String(round(kmsPerSecond, 2)), met: kmsPerSecond <= 1 },
    {
      name: 'recovery: errors later than 1 s after a late acceptance',
      target: '0',
      figure: String(v.lateAcceptance.errorsAfterAcceptancePlus1s),
      met: v.lateAcceptance.errorsAfterAcceptancePlus1s === 0,
    },
    { name: 'recovery: errors at the next rotation after a late acceptance', target: '0', figure: String(v.lateAcceptance.nextRotationErrors), met: v.lateAcceptance.nextRotationErrors === 0 },
    { name: 'recovery: KMS calls for 20 code-less 403s', target: '<= 3', figure: String(v.codeless403.kmsCalls), met: v.codeless403.kmsCalls <= 3 },
    {
      name: 'recovery: shortest gap between KMS asks while disabled',
      target: '>= 1000 ms',
      figure: v.disabled.minAskGapMs === undefined ? '-' : `${v.disabled.minAskGapMs} ms`,
      met: v.disabled.minAskGapMs === undefined || v.disabled.minAskGapMs >= 1000,
    },
    {
      name: 'recovery: largest caller wait, disabled key while KMS hangs',
      target: `<= fetch_timeout (${v.disabledKmsHanging.fetchTimeoutMs} ms) + its OSS request`,
      figure: `${v.disabledKmsHanging.maxCallMs} ms`,
      // The OSS request on top is a few ms on the local emulator; 500 ms covers a loaded machine.
      met: v.disabledKmsHanging.maxCallMs <= v.disabledKmsHanging.fetchTimeoutMs + 500,
    },
    {
      name: 'recovery: caller wait with KMS hanging',
      target: `<= fetch_timeout (${v.hangingKms.fetchTimeoutMs} ms)`,
      figure: `${v.hangingKms.callerWaitMs} ms (${v.hangingKms.errorCode ?? 'no error'})`,
      met: v.hangingKms.callerWaitMs <= v.hangingKms.fetchTimeoutMs,
    },
  ];
}

/** The recovery rows of the results table (real time, real stack over sockets). */
function recoveryRows(v: RecoveryResult, mark: (targetName: string) => string): string[] {
  const d = v.disabled;
  const l = v.lateAcceptance;
  const c = v.codeless403;
  const h = v.hangingKms;
  return [
    `| Recovery | key disabled ${d.disabledForMs / 1000} s before KMS rotates (2 callers, a put every ${CALLS_EVERY_MS} ms each): calls succeed again after the rotation | ${d.recoveredAfterMs === undefined ? 'never' : `${d.recoveredAfterMs} ms`} (${d.errors} caller errors while disabled) | <= 5 s | ${mark('recovery: disabled key')} |`,
    `| Recovery | KMS calls meanwhile; shortest gap between two asks | ${d.kmsCallsWhileDisabled} in ${d.disabledForMs / 1000} s; ${d.minAskGapMs ?? '-'} ms | <= 1/s; >= 1000 ms | ${mark('recovery: KMS calls per second')}; ${mark('recovery: shortest gap')} |`,
    `| Recovery | key disabled while KMS stops answering, \`fetch_timeout\` ${v.disabledKmsHanging.fetchTimeoutMs} ms (2 callers, a put every ${CALLS_EVERY_MS} ms each, ${v.disabledKmsHanging.calls} calls): the largest caller wait | ${v.disabledKmsHanging.maxCallMs} ms (${Object.entries(v.disabledKmsHanging.errorCodes).map(([code, count]) => `${count} \`${code}\``).join(', ') || 'no errors'}) | <= ${v.disabledKmsHanging.fetchTimeoutMs} ms + its OSS request | ${mark('recovery: largest caller wait')} |`,
    `| Recovery | key disabled ${d.disabledForMs / 1000} s before KMS rotates: the largest caller wait | ${d.maxCallMs} ms | | |`,
    `| Recovery | new key accepted by OSS ${l.acceptDelayMs / 1000} s late (old key revoked): caller errors later than 1 s after acceptance / at the next rotation | ${l.errorsAfterAcceptancePlus1s} / ${l.nextRotationErrors} (${l.kmsCalls} KMS calls in all) | 0 / 0 | ${mark('recovery: errors later than 1 s')} |`,
    `| Recovery | ${c.forbiddenReads} \`getStream\` of a forbidden object (403 without code), 100 ms apart: KMS calls; then a rotation with revoke: caller errors | ${c.kmsCalls}; ${c.rotationErrorsAfter} | <= 3; 0 | ${mark('recovery: KMS calls for 20')} |`,
    `| Recovery | cold start while KMS accepts and never answers, \`fetch_timeout\` ${h.fetchTimeoutMs} ms: the caller's wait | ${h.callerWaitMs} ms, then \`${h.errorCode ?? '-'}\` | <= ${h.fetchTimeoutMs} ms | ${mark('recovery: caller wait')} |`,
  ];
}

/** Extra OSS requests across a revoke with and without holding calls during the refresh. */
function holdRows(h: HoldResult): string[] {
  return h.runs.map(
    (run) =>
      `| Hold | calls arriving during a revoke (target ${h.callsPerSecond}/s, reached ${run.calls}/s; KMS latency ${h.kmsLatencyMs} ms), ${run.mode}: OSS requests rejected (each one extra) vs calls in flight at the revoke | ${run.rejectedRequests} vs ${run.inFlightAtRevoke} (${run.callerErrors} caller errors) | ${run.mode === 'hold' ? '≈ in flight' : ''} | |`,
  );
}

/** The markdown of `bench/results.md` (the README includes it). */
export function renderMarkdown(r: BenchResults): string {
  const o = r.overhead;
  const s = r.rotationStorm;
  const m = r.memory;
  const mark = (met: boolean) => (met ? 'met' : '**missed**');
  const target = (name: string) => r.targets.find((t) => t.name.startsWith(name));
  const fleet = (mode: string) => r.fleet.modes.find((x) => x.mode === mode);
  const n = (value: number) => value.toLocaleString('en');
  const lines = [
    '# Benchmarks',
    '',
    `Node ${r.meta.node}, ${r.meta.cpus} CPUs (${r.meta.cpuModel}), ${r.meta.platform}, ${r.meta.date}, ` +
      `\`npm run bench${r.meta.mode === 'quick' ? ' -- --quick' : ''}\` in ${round(r.meta.durationMs / 1000, 1)} s. ` +
      'Everything runs against the local emulators over real sockets on 127.0.0.1; figures are ratios and counts ' +
      'measured side by side in one run.',
    '',
    '| Benchmark | Measure | Result | Target | |',
    '|---|---|---|---|---|',
    `| Overhead | throughput ProxyBucket / raw ali-oss (put 1 KiB + get, ${o.rounds}×2 alternating blocks of ${o.opsPerBlock} ops, ${o.concurrency} in flight) | ${o.throughputRatio} (median of the ${o.rounds} per-round ratios ${o.medianRoundRatio}, range ${Math.min(...o.roundRatios)}–${Math.max(...o.roundRatios)}) | >= 0.97 | ${mark(target('overhead')!.met)} |`,
    `| Overhead | added CPU per OSS call (client + in-process emulator CPU, ProxyBucket minus raw) | ${round(o.addedCpuUsPerOp / 2, 1)} µs (+${round(o.addedCpuShare * 100, 1)} % of raw) | | |`,
    `| Overhead | client-side cost per \`head\` without network (ali-oss \`urllib\` stub answering at once; median of ${r.overheadClientOnly.rounds} alternating rounds): raw / ProxyBucket / added | ${r.overheadClientOnly.rawUsPerCall} / ${r.overheadClientOnly.proxyUsPerCall} / +${r.overheadClientOnly.addedUsPerCall} µs (ratio ${r.overheadClientOnly.clientOnlyRatio}) | | |`,
    `| Rotation storm | caller errors, ${n(s.calls)} concurrent put/get/head across a revoke | ${s.errors} | 0 | ${mark(target('rotation storm: caller errors')!.met)} |`,
    `| Rotation storm | GetSecretValue calls during the storm | ${s.kmsCalls} | 1 | ${mark(target('rotation storm: KMS calls')!.met)} |`,
    `| Rotation cycles | caller errors, ${n(r.rotationCycles.calls)} put/get over ${r.rotationCycles.cycles} rotate+revoke cycles ${r.rotationCycles.cycleGapMs / 1000} s apart | ${r.rotationCycles.errors}${r.rotationCycles.errors ? ` (${Object.entries(r.rotationCycles.errorCodes).map(([c, k]) => `${k} ${c}`).join(', ')})` : ''}; ${r.rotationCycles.kmsCalls} KMS calls; ${n(r.rotationCycles.ossRejected)} rejected OSS requests; largest call ${r.rotationCycles.maxCallMs} ms | 0 | ${mark(target('rotation cycles: caller errors')!.met)} |`,
    `| Rotation storm | extra OSS requests (rejected + retried) | ${n(s.extraOssRequests)} (${n(s.ossRejected)} rejected + as many retries; ${n(s.ossRequests)} requests in all) | | |`,
    `| KMS load | KMS calls per secret per 6 h interval, ${r.kmsLoad.runs.map((x) => x.buckets).join(' / ')} ProxyBuckets on one cache (${r.kmsLoad.simulatedHours} h virtual, rotation halfway) | ${r.kmsLoad.runs.map((x) => x.kmsCallsPerSecretPerInterval).join(' / ')} (${r.kmsLoad.runs.map((x) => x.kmsCalls).join(' / ')} calls incl. first load; ${r.kmsLoad.runs.reduce((n, x) => n + x.errors, 0)} OSS errors) | <= 1 | ${mark(target('KMS calls per secret')!.met)} |`,
    `| KMS load | fleet of ${r.fleet.processes.toLocaleString('en')} processes, peak KMS QPS after a rotation: jitter per refresh / no jitter / once per process (official) | ${fleet('per-refresh')?.peakKmsQps} / ${fleet('none')?.peakKmsQps} / ${fleet('per-process')?.peakKmsQps} | | |`,
    `| Memory | heap growth over ${m.calls.toLocaleString('en')} calls with ${m.rotations.toLocaleString('en')} rotations (gc forced) | ${round(m.heapGrowthBytes / MB, 2)} MB (${m.errors} errors, ${n(m.kmsCalls)} KMS calls) | < 5 MB | ${mark(target('heap growth')!.met)} |`,
    `| Memory | RSS growth, same run | ${round(m.rssGrowthBytes / MB, 2)} MB | | |`,
    `| Handles | new active resources after shutdown (getActiveResourcesInfo) | ${m.newResources.length}${m.newResources.length ? ` (${m.newResources.join(', ')})` : ''} | 0 | ${mark(target('open handles')!.met)} |`,
    ...(r.providerOverhead === undefined ? [] : providerOverheadRows(r.providerOverhead)),
    ...recoveryRows(r.recovery, (name) => mark(target(name)!.met)),
    ...holdRows(r.hold),
    ...r.coldStart.rows.map(
      (row) =>
        `| Cold start | first call − injected DKMS latency of ${row.injectedLatencyMs} ms (median of ${r.coldStart.repetitions}) | +${row.overheadMs} ms${row.injectedLatencyMs > 0 ? ` (×${round(row.firstCallMs / row.injectedLatencyMs, 2)} of the latency)` : ''}; cold raw ali-oss first call ${row.rawFirstCallMs} ms; bare KMS round trip ${row.bareKmsRoundTripMs} ms; added over both +${row.addedOverKmsRttMs} ms; ${row.kmsCallsPerStart} KMS call | | |`,
    ),
    ...(r.coldStart.processes ? coldProcessMarkdown(r.coldStart.processes) : []),
    '',
    'Overhead: client and LocalOss share one process and its cores, so the loop is CPU-bound and the ratio is a ' +
      'worst case (against real OSS, network latency dwarfs the few µs added per call); on a busy machine single ' +
      'rounds vary by ±10 %, which is why blocks alternate and the ratio uses the totals of all rounds. The ' +
      'client-only row isolates what ProxyBucket itself adds per call. Benchmarks run the TypeScript sources under ' +
      'tsx, whose esbuild transform names every per-call closure (`__name`, visible in a CPU profile); the built ' +
      'package does not pay that.',
    '',
    'Fleet simulation: the cache\'s pure `computeRefreshSchedule` (6 h / +5 min / 0–10 min jitter) per process, ' +
      'processes started at random in the 6 h before, rotation 12 h later, calls counted per second within ±1 h.',
  ];
  lines.push(
    '',
    '## Fleet: emergency revoke under a KMS quota (`bench/fleet-revoke.ts`)',
    '',
    `Virtual time, one process: every simulated process runs a real \`SecretCacheClient\` over the real \`FailoverSecretSource\` ` +
      `(as a configuration builds it) and sends ${r.fleetRevoke.requestsPerSecond} requests/s (Poisson, fixed seed) until it has served ` +
      `one with the new key; at t = 0 KMS serves the new key and OSS rejects the old one. KMS answers after ` +
      `${r.fleetRevoke.kmsLatencyMs} ms and throttles (HTTP 429 \`Rejected.Throttling\`, mapped like the OpenAPI source does) ` +
      'every request beyond its quota in each second. A rejected request does what ProxyBucket does: ' +
      '`refreshNow(secret, { staleAccessKeyId })`, then one retry if the key changed. The official providers\' policy ' +
      '(bucket of 5 forced refreshes per 10 min, each a fetch serialised by a per-secret lock and retried on throttling after ' +
      '2, 4, 8, 10 s without jitter, a 200 ms sleep, one unconditional retry) and a plain full-jitter backoff ' +
      `(1 s base, 30 s cap, callers waiting up to \`fetch_timeout\`) run in the same simulation. Waits and errors count the ` +
      'requests each process sent until it served one with the new key.',
    '',
    renderFleetRevokeMarkdown(r.fleetRevoke).trim(),
    ...(r.fleetRevoke.chart === undefined ? [] : ['', `![KMS attempts per second and processes on the new key over time](${r.fleetRevoke.chart})`]),
  );
  if (r.cacheKmsCalls) {
    lines.push('', '## Cache: KMS calls over a week, warm reads (`bench/cache-kms-calls.ts`)', '', r.cacheKmsCalls.markdown.trim());
  } else if (r.cacheKmsCallsError) {
    lines.push('', `\`bench/cache-kms-calls.ts\` did not run: ${r.cacheKmsCallsError}`);
  }
  return `${lines.join('\n')}\n`;
}
