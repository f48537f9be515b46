/**
 * Emergency revoke across a fleet under a KMS quota (issue 14): N simulated processes on one virtual clock,
 * each with a real `SecretCacheClient` over the real `FailoverSecretSource`, a KMS that throttles beyond its
 * quota, and OSS rejecting the old key from t = 0; side by side with the official providers' policy and a
 * plain full-jitter backoff. Writes nothing itself except the optional SVG chart; `bench/run.ts` puts the
 * figures into results.json / results.md. Run alone: `node --import tsx bench/fleet-revoke.ts [--quick]`.
 */
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFleetRevoke, type FleetPolicy, type FleetRevokeResult } from './lib/fleet-revoke-sim.js';
import { round } from './lib/measure.js';
import { renderLineChartSvg } from './lib/svg-chart.js';

/** Options of {@link runFleetRevokeBench}. */
export interface FleetRevokeBenchOptions {
  /** Fleet sizes; default 1,000 and 10,000. */
  processes?: readonly number[];
  /** KMS quotas, QPS; default 450 (the figure an older version of Alibaba's performance page gives for the shared gateway, unconfirmed) and 1,000. */
  quotas?: readonly number[];
  /** Virtual time simulated after the revoke, ms; default 60 s. */
  horizonMs?: number;
  /** Where to write the chart of the largest fleet at the smallest quota; none when absent. */
  svgPath?: string;
  seed?: number;
  /**
   * Workload per process; default 2 requests/s. At 5/s the times to the new key and the KMS figures are the
   * same (10,000 processes at 450 QPS: 29.8 s vs 29.9 s, 25,133 vs 25,023 attempts) but the run costs 2.5x
   * the CPU: every waiting request is a live promise chain in one heap.
   */
  requestsPerSecond?: number;
}

/** A run without its per-second timeline (kept only for the chart). */
export type FleetRevokeRow = Omit<FleetRevokeResult, 'timeline'>;

/** Figures of the whole bench. */
export interface FleetRevokeBenchResult {
  requestsPerSecond: number;
  kmsLatencyMs: number;
  fetchTimeoutMs: number;
  horizonMs: number;
  policies: FleetPolicy[];
  runs: FleetRevokeRow[];
  /** The issue's goal for the largest fleet at the smallest quota, judged on our policy. */
  goal: {
    processes: number;
    quotaQps: number;
    physicalLimitMs: number;
    allOnNewKeyTargetMs: number;
    allOnNewKeyMs: number | null;
    throttledPerSuccess: number;
    callerErrors: number;
    met: boolean;
  };
  /** The chart's file name, when one was written. */
  chart?: string;
}

const POLICIES: FleetPolicy[] = ['ours', 'official', 'full-jitter'];
const REQUESTS_PER_SECOND = 2;
const KMS_LATENCY_MS = 50;
const FETCH_TIMEOUT_MS = 30_000;

/** Runs every fleet size x quota x policy, and writes the chart if asked. */
export async function runFleetRevokeBench(options: FleetRevokeBenchOptions = {}): Promise<FleetRevokeBenchResult> {
  const processesList = options.processes ?? [1000, 10_000];
  const quotas = options.quotas ?? [450, 1000];
  const horizonMs = options.horizonMs ?? 60_000;
  const requestsPerSecond = options.requestsPerSecond ?? REQUESTS_PER_SECOND;
  const runs: FleetRevokeResult[] = [];
  for (const processes of processesList) {
    for (const quotaQps of quotas) {
      for (const policy of POLICIES) {
        runs.push(
          await runFleetRevoke({
            processes,
            quotaQps,
            policy,
            horizonMs,
            requestsPerSecond,
            kmsLatencyMs: KMS_LATENCY_MS,
            fetchTimeoutMs: FETCH_TIMEOUT_MS,
            seed: options.seed ?? 7,
          }),
        );
      }
    }
  }
  const largest = Math.max(...processesList);
  const smallestQuota = Math.min(...quotas);
  const headline = runs.filter((r) => r.processes === largest && r.quotaQps === smallestQuota);
  const ours = headline.find((r) => r.policy === 'ours') as FleetRevokeResult;
  const targetMs = Math.round(ours.physicalLimitMs * 1.5);
  const throttledPerSuccess = throttledPerSuccessOf(ours);
  let chart: string | undefined;
  if (options.svgPath !== undefined) {
    await writeFile(options.svgPath, renderFleetChart(headline, horizonMs));
    chart = basename(options.svgPath);
  }
  return {
    requestsPerSecond,
    kmsLatencyMs: KMS_LATENCY_MS,
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    horizonMs,
    policies: POLICIES,
    runs: runs.map(({ timeline: _timeline, ...row }) => row),
    goal: {
      processes: largest,
      quotaQps: smallestQuota,
      physicalLimitMs: ours.physicalLimitMs,
      allOnNewKeyTargetMs: targetMs,
      allOnNewKeyMs: ours.newKeyAllMs,
      throttledPerSuccess,
      callerErrors: ours.callerErrors,
      met: ours.newKeyAllMs !== null && ours.newKeyAllMs <= targetMs && throttledPerSuccess < 2,
    },
    ...(chart === undefined ? {} : { chart }),
  };
}

/** Throttled KMS attempts per successful one. */
export function throttledPerSuccessOf(run: FleetRevokeRow): number {
  return run.kmsSucceeded === 0 ? Infinity : round(run.kmsThrottled / run.kmsSucceeded, 2);
}

const POLICY_LABELS: Record<FleetPolicy, string> = {
  ours: 'this library',
  official: 'official providers',
  'full-jitter': 'plain full jitter (1 s, cap 30 s)',
};
const COLORS: Record<FleetPolicy, { color: string; dash?: string }> = {
  ours: { color: '#1f77b4' },
  official: { color: '#d62728' },
  'full-jitter': { color: '#7f7f7f', dash: '6 4' },
};

/** KMS attempts per second and % of processes on the new key over time, one line per policy. */
function renderFleetChart(runs: readonly FleetRevokeResult[], horizonMs: number): string {
  const first = runs[0] as FleetRevokeResult;
  const limitS = first.physicalLimitMs / 1000;
  const points = (run: FleetRevokeResult, pick: (s: FleetRevokeResult['timeline'][number]) => number) => [
    [0, 0] as const,
    ...run.timeline.map((s) => [s.second, pick(s)] as const),
  ];
  const attempts = (s: FleetRevokeResult['timeline'][number]) => s.attempts;
  const percent = (s: FleetRevokeResult['timeline'][number]) => s.newKeyPercent;
  const series = (pick: typeof attempts, withPeak: boolean) =>
    runs.map((run) => ({
      name: withPeak ? `${POLICY_LABELS[run.policy]} (peak ${run.kmsPeakAttemptsPerSecond.toLocaleString('en')}/s)` : POLICY_LABELS[run.policy],
      ...COLORS[run.policy],
      points: points(run, pick),
    }));
  return renderLineChartSvg({
    title: `Emergency revoke: ${first.processes.toLocaleString('en')} processes, KMS quota ${first.quotaQps} QPS (simulated)`,
    xLabel: 'seconds after the revoke',
    xMax: horizonMs / 1000,
    xReferences: [
      { x: limitS, label: `N/quota ${round(limitS, 1)} s` },
      { x: limitS * 1.5, label: `goal ${round(limitS * 1.5, 1)} s` },
    ],
    panels: [
      {
        // The first seconds' peaks (everyone asks at once) would flatten the rest: the axis stops at 5x the quota.
        title: 'KMS GetSecretValue attempts per second (accepted + throttled; peaks clipped)',
        yLabel: 'attempts / s',
        yMax: first.quotaQps * 5,
        series: series(attempts, true),
        references: [{ y: first.quotaQps, label: `quota ${first.quotaQps}/s` }],
      },
      { title: 'Processes serving the new key', yLabel: '% of processes', yMax: 100, series: series(percent, false), legend: 'top-left' },
    ],
  });
}

/** The markdown table of the bench (also used by bench/lib/report.ts). */
export function renderFleetRevokeMarkdown(r: FleetRevokeBenchResult): string {
  const s = (ms: number | null) => (ms === null ? `> ${r.horizonMs / 1000} s` : `${round(ms / 1000, 1)} s`);
  const n = (v: number) => v.toLocaleString('en');
  const lines = [
    '| Processes | Quota | N/quota | Policy | 50 % / 99 % / 100 % on the new key | KMS attempts: peak/s, total, throttled (per success) | Caller errors | Caller wait p50 / p99 / max |',
    '|---|---|---|---|---|---|---|---|',
    ...r.runs.map(
      (run) =>
        `| ${n(run.processes)} | ${run.quotaQps}/s | ${s(run.physicalLimitMs)} | ${POLICY_LABELS[run.policy]} | ` +
        `${s(run.newKeyP50Ms)} / ${s(run.newKeyP99Ms)} / ${s(run.newKeyAllMs)}${run.newKeyAllMs === null ? ` (${round(run.newKeyShare * 100, 1)} %)` : ''} | ` +
        `${n(run.kmsPeakAttemptsPerSecond)}, ${n(run.kmsAttempts)}, ${n(run.kmsThrottled)} (${throttledPerSuccessOf(run)}) | ` +
        `${n(run.callerErrors)} of ${n(run.requests)}${run.unfinishedRequests > 0 ? ` (${n(run.unfinishedRequests)} still waiting)` : ''} | ` +
        `${s(run.waitP50Ms)} / ${s(run.waitP99Ms)} / ${s(run.waitMaxMs)} |`,
    ),
  ];
  const g = r.goal;
  lines.push(
    '',
    `Goal (${n(g.processes)} processes, ${g.quotaQps} QPS): all on the new key within 1.5x N/quota = ${s(g.allOnNewKeyTargetMs)} ` +
      `and fewer than 2 throttled attempts per success: ${s(g.allOnNewKeyMs)}, ${g.throttledPerSuccess} per success, ` +
      `${n(g.callerErrors)} caller errors - ${g.met ? 'met' : '**missed**'}.`,
  );
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const result = await runFleetRevokeBench(
    quick
      ? { processes: [200, 1000], horizonMs: 60_000 }
      : { svgPath: fileURLToPath(new URL('./fleet-revoke.svg', import.meta.url)) },
  );
  process.stdout.write(renderFleetRevokeMarkdown(result));
}
