/**
 * The fleet bench as a sweep (issue 21): an emergency revoke judged over processes x quota x seeds x where the
 * revoke falls in KMS's second, the quota as a fixed window and as a token bucket, with and without throttle
 * hints, one agent per host (with and without a direct fallback), and the official providers' and the Python
 * provider's policies as their own rows. Writes `bench/fleet-sweep.md` (copied into docs/fleet.md by
 * `npm run readme`), `docs/fleet-sweep.svg` and the `fleetSweep` key of `bench/results.json`.
 * Run: `npm run bench:fleet` (full, about 7 min on 2 cores) or `npm run bench:fleet -- --quick` (CI-sized, about
 * 15 s; writes the same three under bench/out/, leaving the committed figures alone).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runSweepCell, type SweepCellResult, type SweepPolicy } from './lib/fleet-sweep-model.js';
import type { QuotaModel } from './lib/kms-quota.js';

/** The grid of one sweep. */
export interface FleetSweepPlan {
  processes: readonly number[];
  quotas: readonly number[];
  seeds: readonly number[];
  /** Where in KMS's second the revoke falls, ms. */
  offsets: readonly number[];
  processesPerHost: number;
}

/** The full grid of the issue. */
export const FULL_SWEEP: FleetSweepPlan = {
  processes: [500, 1000, 2000, 5000, 10_000, 20_000],
  quotas: [200, 450, 1000],
  seeds: [1, 2, 3],
  offsets: [0, 250, 500, 750],
  processesPerHost: 10,
};

/** A CI-sized grid: every quota, three fleet sizes, one seed, two offsets. */
export const QUICK_SWEEP: FleetSweepPlan = {
  processes: [500, 2000, 10_000],
  quotas: [200, 450, 1000],
  seeds: [1],
  offsets: [0, 500],
  processesPerHost: 10,
};

/** One row variant of the sweep table. */
export interface SweepVariant {
  key: string;
  label: string;
  policy: SweepPolicy;
  quotaModel: QuotaModel;
  hints: boolean;
}

/** The variants, in table order. */
export const SWEEP_VARIANTS: readonly SweepVariant[] = [
  { key: 'ours', label: 'this library, fixed window', policy: 'ours', quotaModel: 'fixed-window', hints: false },
  { key: 'ours-bucket', label: 'this library, token bucket', policy: 'ours', quotaModel: 'token-bucket', hints: false },
  { key: 'ours-hints', label: 'this library, KMS sends TimeLeft hints', policy: 'ours', quotaModel: 'fixed-window', hints: true },
  { key: 'agent', label: 'agent per host (TTL 300 s), no fallback', policy: 'agent', quotaModel: 'fixed-window', hints: false },
  { key: 'agent-fallback', label: 'agent per host, direct fallback', policy: 'agent-fallback', quotaModel: 'fixed-window', hints: false },
  { key: 'official', label: 'official providers (thread per request)', policy: 'official', quotaModel: 'fixed-window', hints: false },
  { key: 'python', label: 'Python provider (sync worker)', policy: 'python', quotaModel: 'fixed-window', hints: false },
];

/** The worst (and best) of one variant over seeds and offsets, for one fleet size and quota. */
export interface SweepCellSummary {
  variant: string;
  processes: number;
  quotaQps: number;
  kmsClients: number;
  targetMs: number;
  /** Longest recovery (first rejected request to the new key) over the runs: min and max, ms; null: not all within the horizon. */
  recoveryMinMs: number | null;
  recoveryMaxMs: number | null;
  /** All processes on the new key after the revoke (the workload's detection delay included), worst run, ms. */
  allOnNewKeyMaxMs: number | null;
  /** Throttled attempts per success: min and max over the runs. */
  throttledPerSuccessMin: number;
  throttledPerSuccessMax: number;
  runs: number;
  /** Every run met the goal. */
  met: boolean;
}

/** What `bench:fleet` writes into results.json. */
export interface FleetSweepResult {
  plan: FleetSweepPlan & { quick: boolean };
  goal: string;
  variants: readonly SweepVariant[];
  cells: SweepCellSummary[];
}

/** Runs the sweep (seconds of CPU: a discrete-event model, see bench/lib/fleet-sweep-model.ts). */
export function runFleetSweep(plan: FleetSweepPlan, quick = false): FleetSweepResult {
  const cells: SweepCellSummary[] = [];
  for (const variant of SWEEP_VARIANTS) {
    for (const processes of plan.processes) {
      for (const quotaQps of plan.quotas) {
        const runs: SweepCellResult[] = [];
        for (const seed of plan.seeds) {
          // A token bucket has no second boundaries: one run per seed.
          for (const revokeOffsetMs of variant.quotaModel === 'token-bucket' ? [0] : plan.offsets) {
            runs.push(
              runSweepCell({
                processes,
                quotaQps,
                policy: variant.policy,
                seed,
                revokeOffsetMs,
                quotaModel: variant.quotaModel,
                hints: variant.hints,
                processesPerHost: plan.processesPerHost,
              }),
            );
          }
        }
        const recoveries = runs.map((r) => r.recoveryMaxMs);
        const finite = recoveries.filter((v): v is number => v !== null);
        const alls = runs.map((r) => r.newKeyAllMs);
        const tps = runs.map((r) => r.throttledPerSuccess);
        const first = runs[0] as SweepCellResult;
        cells.push({
          variant: variant.key,
          processes,
          quotaQps,
          kmsClients: first.kmsClients,
          targetMs: first.targetMs,
          recoveryMinMs: finite.length === 0 ? null : Math.min(...finite),
          recoveryMaxMs: finite.length < runs.length ? null : Math.max(...finite),
          allOnNewKeyMaxMs: alls.includes(null) ? null : Math.max(...(alls as number[])),
          throttledPerSuccessMin: Math.min(...tps),
          throttledPerSuccessMax: Math.max(...tps),
          runs: runs.length,
          met: runs.every((r) => r.met),
        });
      }
    }
  }
  return {
    plan: { ...plan, quick },
    goal: 'every process on the new key within 1.5 x N/quota + 2 s of its first rejected request (N = processes, or hosts where an agent serves them), fewer than 2 throttled attempts per success',
    variants: SWEEP_VARIANTS,
    cells,
  };
}

const seconds = (ms: number | null) => (ms === null ? '> 600' : (ms / 1000).toFixed(1));

/** The markdown of the sweep: method, one table per variant, and the cells that miss the goal. */
export function renderFleetSweepMarkdown(r: FleetSweepResult): string {
  const { plan } = r;
  const lines: string[] = [
    `Sweep${plan.quick ? ' (quick form)' : ''}: processes ${plan.processes.map((n) => n.toLocaleString('en')).join(', ')} x quota ${plan.quotas.join(', ')} QPS x seeds ${plan.seeds.join(', ')} x the revoke at ${plan.offsets.join(', ')} ms into KMS's second (fixed window; a token bucket has no second). ` +
      `Agents serve ${plan.processesPerHost} processes per host. Goal: ${r.goal}. ` +
      'Each cell: the longest recovery over the runs against the target (s), and throttled attempts per success (the worst run; for the baselines the range over the runs). ' +
      'The processes run the library\'s own pacing code (`ThrottlePacer`, and the cache\'s `nextRecoveryAttempt` for re-asking an agent) in a discrete-event model (`bench/lib/fleet-sweep-model.ts`); the full stack (cache, failover group, call core) runs in the table above.',
    '',
  ];
  for (const variant of r.variants) {
    lines.push(`**${variant.label}**`, '', `| Processes | ${plan.quotas.map((q) => `${q}/s`).join(' | ')} |`, `|---|${plan.quotas.map(() => '---').join('|')}|`);
    for (const processes of plan.processes) {
      const row = plan.quotas.map((q) => {
        const c = r.cells.find((x) => x.variant === variant.key && x.processes === processes && x.quotaQps === q) as SweepCellSummary;
        const range = variant.policy === 'official' || variant.policy === 'python';
        const time = range && c.recoveryMinMs !== c.recoveryMaxMs ? `${seconds(c.recoveryMinMs)}-${seconds(c.recoveryMaxMs)}` : seconds(c.recoveryMaxMs);
        const tps = range && c.throttledPerSuccessMin !== c.throttledPerSuccessMax ? `${c.throttledPerSuccessMin}-${c.throttledPerSuccessMax}` : `${c.throttledPerSuccessMax}`;
        return `${time} / ${seconds(c.targetMs)} s, ${tps}${c.met ? '' : ' ✗'}`;
      });
      lines.push(`| ${processes.toLocaleString('en')} | ${row.join(' | ')} |`);
    }
    lines.push('');
  }
  const misses = (key: string) => r.cells.filter((c) => c.variant === key && !c.met);
  const describe = (c: SweepCellSummary) => {
    const late = c.recoveryMaxMs === null || c.recoveryMaxMs > c.targetMs;
    const why = [late ? `${seconds(c.recoveryMaxMs)} s > ${seconds(c.targetMs)} s` : '', c.throttledPerSuccessMax >= 2 ? `${c.throttledPerSuccessMax} throttled per success` : ''].filter(Boolean).join(', ');
    return `${c.processes.toLocaleString('en')} @ ${c.quotaQps}/s (${why})`;
  };
  lines.push('Cells that miss the goal:', '');
  for (const variant of r.variants) {
    const missed = misses(variant.key);
    lines.push(`- ${variant.label}: ${missed.length === 0 ? 'none' : `${missed.length} of ${plan.processes.length * plan.quotas.length}: ${missed.map(describe).join('; ')}`}`);
  }
  lines.push('', '![Fleet sweep heat map](fleet-sweep.svg)');
  return `${lines.join('\n')}\n`;
}

/** Heat map: one panel per variant of ours/agent, fleet sizes down, quotas across; colour = recovery / target. */
export function renderFleetSweepSvg(r: FleetSweepResult): string {
  const variants = r.variants.filter((v) => v.policy !== 'official');
  const { processes, quotas } = r.plan;
  const cellW = 92;
  const cellH = 30;
  const panelW = 90 + quotas.length * cellW;
  const panelH = 50 + processes.length * cellH;
  const cols = 3;
  const width = cols * (panelW + 20) + 20;
  const height = 70 + Math.ceil(variants.length / cols) * (panelH + 20) + 30;
  const colour = (ratio: number | null, met: boolean) => {
    if (ratio === null) return '#7f0000';
    if (met) return ratio <= 0.5 ? '#1a9850' : '#91cf60';
    return ratio <= 1 ? '#fee08b' : ratio <= 2 ? '#fc8d59' : '#d73027';
  };
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">Emergency revoke sweep${r.plan.quick ? ' (quick form)' : ''}: longest recovery / goal (1.5 x N/quota + 2 s), throttled per success</text>`,
    `<text x="20" y="44">green: goal met; yellow: in time but 2 or more throttled attempts per success; orange/red: late (over 1x / 2x the goal); dark red: not all within 600 s</text>`,
  ];
  variants.forEach((variant, index) => {
    const x0 = 20 + (index % cols) * (panelW + 20);
    const y0 = 60 + Math.floor(index / cols) * (panelH + 20);
    out.push(`<text x="${x0}" y="${y0 + 14}" font-weight="bold">${esc(variant.label)}</text>`);
    quotas.forEach((q, qi) => out.push(`<text x="${x0 + 90 + qi * cellW + cellW / 2}" y="${y0 + 34}" text-anchor="middle">${q}/s</text>`));
    processes.forEach((n, pi) => {
      const y = y0 + 40 + pi * cellH;
      out.push(`<text x="${x0 + 84}" y="${y + 19}" text-anchor="end">${n.toLocaleString('en')}</text>`);
      quotas.forEach((q, qi) => {
        const c = r.cells.find((x) => x.variant === variant.key && x.processes === n && x.quotaQps === q) as SweepCellSummary;
        const ratio = c.recoveryMaxMs === null ? null : c.recoveryMaxMs / c.targetMs;
        const x = x0 + 90 + qi * cellW;
        out.push(`<rect x="${x}" y="${y}" width="${cellW - 2}" height="${cellH - 2}" fill="${colour(ratio, c.met)}"/>`);
        const label = `${ratio === null ? '>600 s' : `${ratio.toFixed(2)}x`} ${c.throttledPerSuccessMax}`;
        out.push(`<text x="${x + cellW / 2 - 1}" y="${y + 19}" text-anchor="middle">${esc(label)}</text>`);
      });
    });
  });
  out.push(`<text x="20" y="${height - 12}">Each cell: worst run over seeds and revoke offsets. Model: bench/lib/fleet-sweep-model.ts (npm run bench:fleet).</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const startedAt = Date.now();
  const result = runFleetSweep(quick ? QUICK_SWEEP : FULL_SWEEP, quick);
  const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
  const markdown = renderFleetSweepMarkdown(result);
  if (quick) {
    // A quick run (CI) must not overwrite the committed figures of a full run: it writes under bench/out/.
    await mkdir(here('./out'), { recursive: true });
    await writeFile(here('./out/fleet-sweep.md'), markdown);
    await writeFile(here('./out/fleet-sweep.svg'), renderFleetSweepSvg(result));
    await writeFile(here('./out/fleet-sweep.json'), `${JSON.stringify(result, null, 2)}\n`);
  } else {
    await writeFile(here('./fleet-sweep.md'), markdown);
    await writeFile(here('../docs/fleet-sweep.svg'), renderFleetSweepSvg(result));
    // results.json keeps its other keys (written by `npm run bench`); the sweep has its own.
    const resultsPath = here('./results.json');
    const results = JSON.parse(await readFile(resultsPath, 'utf8')) as Record<string, unknown>;
    results['fleetSweep'] = result;
    await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  }
  process.stdout.write(`${markdown}\n(${((Date.now() - startedAt) / 1000).toFixed(1)} s${quick ? '; written to bench/out/' : ''})\n`);
}
