import { describe, expect, it } from 'vitest';
import { renderFleetSweepMarkdown, renderFleetSweepSvg, runFleetSweep } from '../../bench/fleet-sweep.js';
import { runSweepCell } from '../../bench/lib/fleet-sweep-model.js';
import { KmsQuota } from '../../bench/lib/kms-quota.js';

describe('KmsQuota', () => {
  it('fixed window: the revoke offset decides when the next second starts, and TimeLeft says so', () => {
    const quota = new KmsQuota(2, 'fixed-window');
    quota.start(10_000, 900); // KMS's second began 900 ms before the revoke
    expect([quota.admit(10_000), quota.admit(10_050)]).toEqual([{ admitted: true }, { admitted: true }]);
    expect(quota.admit(10_060)).toEqual({ admitted: false, timeLeftMs: 40 });
    expect(quota.admit(10_100)).toEqual({ admitted: true }); // a new second, 100 ms after the revoke
  });

  it('token bucket: a burst of one second, then one request per 1/quota s', () => {
    const quota = new KmsQuota(4, 'token-bucket');
    quota.start(0);
    for (let i = 0; i < 4; i++) expect(quota.admit(0)).toEqual({ admitted: true });
    expect(quota.admit(0)).toEqual({ admitted: false, timeLeftMs: 250 });
    expect(quota.admit(249)).toMatchObject({ admitted: false });
    expect(quota.admit(250)).toEqual({ admitted: true });
  });
});

describe('fleet sweep', () => {
  it('a cell is deterministic per seed, reaches every process, and judges the goal on N (hosts for an agent without fallback)', () => {
    const cell = { processes: 300, quotaQps: 100, policy: 'ours' as const, seed: 1 };
    const ours = runSweepCell(cell);
    expect(runSweepCell(cell)).toEqual(ours);
    expect(ours.newKeyAllMs).not.toBeNull();
    expect(ours.kmsAttempts - ours.kmsThrottled).toBe(300); // one successful KMS call per process
    expect(ours.targetMs).toBe(Math.round(1.5 * 3000 + 2000));

    const agent = runSweepCell({ ...cell, policy: 'agent', processesPerHost: 10, agentTtlMs: 60_000 });
    expect(agent.kmsClients).toBe(30);
    expect(agent.kmsAttempts - agent.kmsThrottled).toBe(30); // one KMS call per host
    // Without a fallback the old key is served until each agent's TTL ends: the goal is missed by about the TTL.
    expect(agent.recoveryMaxMs).toBeGreaterThan(50_000);
    expect(agent.met).toBe(false);
    const fallback = runSweepCell({ ...cell, policy: 'agent-fallback', processesPerHost: 10, agentTtlMs: 60_000 });
    expect(fallback.kmsClients).toBe(300);
    expect(fallback.recoveryMaxMs).toBeLessThan(agent.recoveryMaxMs as number);
  });

  it('renders a table per variant, the cells that miss, and a heat map', () => {
    const result = runFleetSweep({ processes: [100, 400], quotas: [100], seeds: [1], offsets: [0], processesPerHost: 10 }, true);
    const markdown = renderFleetSweepMarkdown(result);
    for (const variant of result.variants) expect(markdown).toContain(`**${variant.label}**`);
    expect(markdown).toMatch(/^- agent per host \(TTL 300 s\), no fallback: 2 of 2: /m);
    expect(markdown).toContain('![Fleet sweep heat map](fleet-sweep.svg)');
    const svg = renderFleetSweepSvg(result);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(1 + (result.variants.length - 1) * 2);
  });
});
