/**
 * `npm run bench [-- --quick]`: runs every benchmark in one process (memory in a child process), writes
 * `bench/results.json` and `bench/results.md`, and prints the table. Benchmarks report; they never fail on
 * a figure. `--quick` is a smoke run with small counts (about 20 s).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runColdStart } from './cold-start.js';
import { runFleetRevokeBench } from './fleet-revoke.js';
import { runFleetSimulation } from './fleet-simulation.js';
import { runSharedCacheKmsLoad } from './kms-load.js';
import { checkTargets, renderMarkdown, type BenchResults, type CacheKmsCallsOutput } from './lib/report.js';
import { runTsChild } from './lib/run-ts-child.js';
import { runMemory } from './memory.js';
import { runOverhead } from './overhead.js';
import { runClientOnlyOverhead } from './overhead-client-only.js';
import { runHoldDoomedRequests } from './hold-doomed-requests.js';
import { providerOverheadPlan, runProviderOverhead } from './provider-overhead.js';
import { runRecovery } from './recovery.js';
import { runRotationCycles } from './rotation-cycles.js';
import { runRotationStorm } from './rotation-storm.js';

const quick = process.argv.includes('--quick');
const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** Counts of each mode; full mode is sized to finish in under ~3 minutes on 2 cores. */
const PLAN = quick
  ? {
      overhead: { rounds: 2, opsPerBlock: 100, concurrency: 4 },
      clientOnly: { rounds: 4, callsPerBlock: 500 },
      storm: { calls: 1000 },
      cycles: { callsPer100Ms: 10, cycles: 3, cycleGapMs: 1000 },
      kmsLoad: { bucketCounts: [1, 10, 100], simulatedHours: 24, callEveryMinutes: 120 },
      fleet: { processes: 10_000, seed: 7 },
      // Smaller fleets, and no chart: the committed SVG belongs to a full run.
      fleetRevoke: { processes: [200, 1000], horizonMs: 60_000 },
      memory: { calls: 5000, rotations: 50 },
      coldStart: { latenciesMs: [0, 100, 500], repetitions: 1, processRuns: 1 },
    }
  : {
      overhead: { rounds: 30, opsPerBlock: 200, concurrency: 4 },
      clientOnly: { rounds: 20, callsPerBlock: 2000 },
      storm: { calls: 1000 },
      cycles: { callsPer100Ms: 20, cycles: 3, cycleGapMs: 1000 },
      kmsLoad: { bucketCounts: [1, 10, 100], simulatedHours: 48, callEveryMinutes: 30 },
      fleet: { processes: 10_000, seed: 7 },
      fleetRevoke: { processes: [1000, 10_000], horizonMs: 60_000, svgPath: here('./fleet-revoke.svg') },
      memory: { calls: 100_000, rotations: 1000 },
      coldStart: { latenciesMs: [0, 100, 500], repetitions: 5, processRuns: 9 },
    };

async function step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  process.stderr.write(`bench: ${name}...`);
  const result = await work();
  process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return result;
}

/** Runs the cache's own benchmark script (owned by the cache) and splits its JSON line from its tables. */
async function runCacheKmsCalls(): Promise<CacheKmsCallsOutput> {
  const script = here('./cache-kms-calls.ts');
  if (!existsSync(script)) throw new Error('bench/cache-kms-calls.ts not found');
  const { stdout } = await runTsChild(script, quick ? ['--quick'] : []);
  const [first = '', ...rest] = stdout.trim().split('\n');
  return { json: JSON.parse(first) as unknown, markdown: rest.join('\n') };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const overhead = await step('overhead', () => runOverhead(PLAN.overhead));
  const overheadClientOnly = await step('overhead (client only)', () => runClientOnlyOverhead(PLAN.clientOnly));
  const providerOverhead = await step('any credential: provider path overhead and asks per token', () =>
    runProviderOverhead(providerOverheadPlan(quick)),
  );
  const rotationStorm = await step('rotation storm', () => runRotationStorm(PLAN.storm));
  const rotationCycles = await step('rotation cycles (three rotate+revoke 1 s apart)', () => runRotationCycles(PLAN.cycles));
  const kmsLoad = await step('KMS load (shared cache)', () => runSharedCacheKmsLoad(PLAN.kmsLoad));
  const fleet = await step('KMS load (fleet simulation)', () => runFleetSimulation(PLAN.fleet));
  const fleetRevoke = await step('fleet emergency revoke under a KMS quota (virtual time)', () => runFleetRevokeBench(PLAN.fleetRevoke));
  const coldStart = await step('cold start', () => runColdStart(PLAN.coldStart));
  const memory = await step('memory and handles (child process)', () => runMemory(PLAN.memory));
  const recovery = await step('recovery after a rejected key (real time)', runRecovery);
  const hold = await step('calls held during a refresh (real time)', () => runHoldDoomedRequests());
  let cacheKmsCalls: CacheKmsCallsOutput | undefined;
  let cacheKmsCallsError: string | undefined;
  try {
    cacheKmsCalls = await step('cache KMS calls (bench/cache-kms-calls.ts)', runCacheKmsCalls);
  } catch (error) {
    cacheKmsCallsError = (error as Error).message;
    process.stderr.write(` failed: ${cacheKmsCallsError}\n`);
  }
  const figures = { overhead, overheadClientOnly, providerOverhead, rotationStorm, rotationCycles, kmsLoad, fleet, fleetRevoke, memory, coldStart, recovery, hold };
  const cpus = os.cpus();
  const results: BenchResults = {
    meta: {
      node: process.version,
      date: new Date().toISOString(),
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      platform: `${process.platform}-${process.arch}`,
      mode: quick ? 'quick' : 'full',
      durationMs: Date.now() - startedAt,
    },
    ...figures,
    ...(cacheKmsCalls ? { cacheKmsCalls } : {}),
    ...(cacheKmsCallsError ? { cacheKmsCallsError } : {}),
    targets: checkTargets(figures),
  };
  const markdown = renderMarkdown(results);
  // A quick run must not overwrite the committed figures of a full run.
  const suffix = quick ? '.quick' : '';
  // The fleet sweep has its own script (`npm run bench:fleet`): its key is carried over as it is.
  const previous = await readFile(here(`./results${suffix}.json`), 'utf8').then(
    (text) => (JSON.parse(text) as { fleetSweep?: unknown }).fleetSweep,
    () => undefined,
  );
  await writeFile(here(`./results${suffix}.json`), `${JSON.stringify(previous === undefined ? results : { ...results, fleetSweep: previous }, null, 2)}\n`);
  await writeFile(here(`./results${suffix}.md`), markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
