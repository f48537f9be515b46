/**
 * The simulation's command line: `npm run sim -- [--runs N] [--from N] [--seed N] [--verbose]`.
 *
 * - `--seed N`: one run of seed N (with `--verbose`, its trace);
 * - `--runs N --from M`: seeds M .. M+N-1 (default 1000 runs from seed 1);
 * - `--regression`: the fixed regression seeds.
 *
 * Prints every violation with its replay line and a summary; exits 1 if any invariant was broken.
 */
import { REGRESSION_SEEDS } from './regression-seeds.js';
import { runSimulation } from './run-simulation.js';
import { formatViolation, INVARIANTS, type InvariantName } from './violation.js';

interface CliOptions {
  seeds: number[];
  verbose: boolean;
}

function parse(argv: readonly string[]): CliOptions {
  let runs = 1000;
  let from = 1;
  let seed: number | undefined;
  let verbose = false;
  let regression = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const text = argv[++i];
      const n = Number(text);
      if (text === undefined || !Number.isSafeInteger(n)) throw new Error(`${flag} needs an integer`);
      return n;
    };
    if (flag === '--runs') runs = value();
    else if (flag === '--from') from = value();
    else if (flag === '--seed') seed = value();
    else if (flag === '--verbose') verbose = true;
    else if (flag === '--regression') regression = true;
    else throw new Error(`unknown option ${flag} (use --runs N, --from N, --seed N, --regression, --verbose)`);
  }
  if (seed !== undefined) return { seeds: [seed], verbose };
  if (regression) return { seeds: [...REGRESSION_SEEDS], verbose };
  return { seeds: Array.from({ length: runs }, (_, i) => from + i), verbose };
}

async function main(): Promise<void> {
  const { seeds, verbose } = parse(process.argv.slice(2));
  const startedAt = performance.now();
  const failingSeeds = new Map<InvariantName, number[]>();
  let violations = 0;
  for (const seed of seeds) {
    const result = await runSimulation(seed, { verbose });
    if (verbose) {
      const { plan } = result;
      console.log(`seed ${seed}: faults [${plan.faults.join(', ')}], ${plan.credentialKind}, ${plan.sourceCount} source(s), fetch_timeout ${plan.fetchTimeoutMs} ms, chaos until ${plan.chaosEndMs} ms`);
      for (const line of result.trace.lines) console.log(line);
    }
    for (const violation of result.violations) {
      violations += 1;
      console.log(formatViolation(violation));
      const list = failingSeeds.get(violation.invariant) ?? [];
      if (list.at(-1) !== seed) list.push(seed);
      failingSeeds.set(violation.invariant, list);
    }
  }
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`\n${seeds.length} run(s) in ${seconds.toFixed(1)} s; ${violations} violation(s)`);
  for (const [invariant, list] of failingSeeds) {
    console.log(`  ${INVARIANTS[invariant]}: ${list.length} seed(s): ${list.slice(0, 20).join(' ')}${list.length > 20 ? ' ...' : ''}`);
  }
  process.exitCode = violations > 0 ? 1 : 0;
}

await main();
