import { describe, expect, it } from 'vitest';
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
});
