import { describe, expect, it } from 'vitest';
import { REGRESSION_CASES, REGRESSION_SEEDS } from './regression-seeds.js';
import { runSimulation } from './run-simulation.js';
import { formatViolation, INVARIANTS, type InvariantName, type Violation } from './violation.js';

/**
 * The recovery proof in CI: the real cache, call core and failover group on the virtual clock against the
 * scripted KMS and OSS, over a fixed range of seeds (each a random subset of faults) plus the regression
 * seeds. A failure lists each broken invariant with its seed and replay command.
 */
const CI_SEEDS = { from: 1, runs: 1500 };
/** Violations printed in a failure message (the rest are counted per invariant). */
const MAX_PRINTED = 40;

async function violationsOf(seeds: readonly number[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const seed of seeds) violations.push(...(await runSimulation(seed)).violations);
  return violations;
}

function report(violations: readonly Violation[]): string {
  const perInvariant = new Map<InvariantName, Set<number>>();
  for (const v of violations) perInvariant.set(v.invariant, (perInvariant.get(v.invariant) ?? new Set()).add(v.seed));
  const summary = [...perInvariant].map(([name, seeds]) => `${INVARIANTS[name]}: ${seeds.size} seed(s) (${[...seeds].slice(0, 15).join(' ')})`);
  return [...summary, '', ...violations.slice(0, MAX_PRINTED).map(formatViolation)].join('\n');
}

describe('deterministic recovery simulation', () => {
  it('replays a seed exactly', async () => {
    const first = await runSimulation(17);
    const second = await runSimulation(17);
    expect(second.trace.calls.map((c) => [c.startedAtMs, c.settledAtMs, c.errorCode])).toEqual(
      first.trace.calls.map((c) => [c.startedAtMs, c.settledAtMs, c.errorCode]),
    );
    expect(second.trace.fetches).toEqual(first.trace.fetches);
    expect(second.violations).toEqual(first.violations);
  });

  it(`holds every invariant on seeds ${CI_SEEDS.from}..${CI_SEEDS.from + CI_SEEDS.runs - 1}`, async () => {
    const seeds = Array.from({ length: CI_SEEDS.runs }, (_, i) => CI_SEEDS.from + i);
    const violations = await violationsOf(seeds);
    expect(violations.length, report(violations)).toBe(0);
  }, 300_000);

  it('holds every invariant on the regression seeds', async () => {
    const violations = await violationsOf(REGRESSION_SEEDS);
    const causes = REGRESSION_CASES.filter((c) => violations.some((v) => v.seed === c.seed)).map((c) => `seed ${c.seed} (${c.invariant}): ${c.cause}`);
    expect(violations.length, [...causes, '', report(violations)].join('\n')).toBe(0);
  }, 120_000);
});
