import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFleetRevokeMarkdown, runFleetRevokeBench } from '../../bench/fleet-revoke.js';
import { runFleetSimulation } from '../../bench/fleet-simulation.js';
import { runRotationStorm } from '../../bench/rotation-storm.js';

// Benchmarks are not tests: this only checks that two of them run in a tiny configuration and report
// well-formed counts. No timing is asserted.
describe('bench smoke', () => {
  it('rotation storm: every caller succeeds, one KMS call, each call rejected at most once', async () => {
    const result = await runRotationStorm({ calls: 30 });
    expect(result).toMatchObject({ calls: 30, errors: 0, errorCodes: {}, kmsCalls: 1, newKeyInUse: true });
    expect(result.ossRequests).toBe(result.calls + result.extraOssRequests);
    expect(result.ossRejected).toBeLessThanOrEqual(result.calls);
    expect(result.extraOssRequests).toBe(result.ossRejected);
  });

  it('fleet simulation: counts cover the fleet, no jitter concentrates the load', () => {
    const result = runFleetSimulation({ processes: 200, seed: 1 });
    expect(result.modes.map((m) => m.mode)).toEqual(['per-refresh', 'none', 'per-process']);
    for (const mode of result.modes) {
      expect(Number.isInteger(mode.peakKmsQps)).toBe(true);
      expect(mode.callsInWindow).toBeGreaterThanOrEqual(result.processes * 0.9);
      expect(mode.peakKmsQps).toBeLessThanOrEqual(mode.callsInWindow);
    }
    const none = result.modes.find((m) => m.mode === 'none')!;
    const perRefresh = result.modes.find((m) => m.mode === 'per-refresh')!;
    expect(none.peakKmsQps).toBeGreaterThan(perRefresh.peakKmsQps);
  });

  it('fleet revoke: every policy runs on the shared virtual clock; ours puts the fleet on the new key with one successful KMS call per process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-revoke-'));
    try {
      const result = await runFleetRevokeBench({ processes: [60], quotas: [20], horizonMs: 20_000, svgPath: join(dir, 'chart.svg') });
      expect(result.runs.map((run) => run.policy)).toEqual(['ours', 'official', 'full-jitter']);
      for (const run of result.runs) {
        expect(run.physicalLimitMs).toBe(3000);
        expect(run.kmsAttempts).toBe(run.kmsSucceeded + run.kmsThrottled);
        expect(run.kmsPeakAttemptsPerSecond).toBeLessThanOrEqual(run.kmsAttempts);
        expect(run.kmsThrottled).toBeGreaterThan(0); // 60 processes asking within 200 ms of a 20 QPS quota
        expect(run.requests).toBeGreaterThanOrEqual(run.processes);
      }
      const ours = result.runs[0]!;
      expect(ours).toMatchObject({ newKeyShare: 1, kmsSucceeded: 60, unfinishedRequests: 0 });
      expect(ours.newKeyAllMs).toBeGreaterThanOrEqual(ours.newKeyP50Ms!);
      expect(result.goal).toMatchObject({ processes: 60, quotaQps: 20, allOnNewKeyTargetMs: 4500, allOnNewKeyMs: ours.newKeyAllMs });
      expect(renderFleetRevokeMarkdown(result).split('\n').filter((line) => line.startsWith('| 60 |'))).toHaveLength(3);
      const svg = await readFile(join(dir, 'chart.svg'), 'utf8');
      expect(svg.startsWith('<svg ')).toBe(true);
      expect(svg).toContain('this library');
      expect(svg).toContain('official providers');
      expect(result.chart).toBe('chart.svg');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
