import { describe, expect, it } from 'vitest';
import { FailoverSecretSource } from '../../../src/kms/failover/index.js';
import type { SecretInfo } from '../../../src/kms/secret-info.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { notFound, ScriptedSource, unavailable, type Step } from './scripted-source.js';

// A KMS Agent serves from its cache until its TTL ends: after a revoke it may still answer with the key OSS
// rejected. The cache then tells the group which answers are known rejected, and the group goes around them.
type Outcome = { value: SecretInfo } | { error: unknown };
const settle = (promise: Promise<SecretInfo>): Promise<Outcome> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

function setup(scripts: Step[][], deadlineMs = 20_000) {
  const clock = new VirtualClock();
  const sources = scripts.map((steps, index) => new ScriptedSource(`src${index}`, clock, steps));
  const failover = new FailoverSecretSource({ sources, clock, random: () => 0.5, backoff: { baseMs: 1_000, capMs: 4_000 }, deadlineMs, hedgeAfterMs: 3_000 });
  return { clock, sources, failover };
}

const request = { secretName: 'oss-ram-ak' };
const isKnownRejected = (info: SecretInfo) => info.secretData === 'revoked key';

describe('FailoverSecretSource with isKnownRejected', () => {
  it('asks the next source when the preferred one answers with a key known rejected, and takes its answer', async () => {
    const { clock, sources, failover } = setup([[{ answer: 'revoked key' }], [{ afterMs: 10, answer: 'new key' }]]);
    const outcome = settle(failover.getSecretValue(request, { isKnownRejected }));
    await clock.advance(10);
    expect(await outcome).toMatchObject({ value: { secretData: 'new key' } });
    expect(sources.map((s) => s.calls.length)).toEqual([1, 1]);
    // The agent is not unhealthy, only behind: the next call starts with it again.
    expect(failover.healthySourceIndex).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('without the predicate, the preferred answer is final (nothing else is asked)', async () => {
    const { clock, sources, failover } = setup([[{ answer: 'revoked key' }], [{ answer: 'new key' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await outcome).toMatchObject({ value: { secretData: 'revoked key' } });
    expect(sources[1]?.calls).toHaveLength(0);
  });

  it('settles for the rejected answer when the others fail for good, or also serve it', async () => {
    const failing = setup([[{ answer: 'revoked key' }], [{ fail: notFound() }]]);
    const first = settle(failing.failover.getSecretValue(request, { isKnownRejected }));
    await failing.clock.advance(0);
    expect(await first).toMatchObject({ value: { secretData: 'revoked key', versionId: 'src0' } });

    const same = setup([[{ answer: 'revoked key' }], [{ answer: 'revoked key' }]]);
    const second = settle(same.failover.getSecretValue(request, { isKnownRejected }));
    await same.clock.advance(0);
    expect(await second).toMatchObject({ value: { secretData: 'revoked key', versionId: 'src0' } });
    expect(same.sources.map((s) => s.calls.length)).toEqual([1, 1]);
  });

  it('settles for the rejected answer at the deadline when another source keeps failing, not with a timeout', async () => {
    const { clock, sources, failover } = setup([[{ answer: 'revoked key' }], [{ fail: unavailable() }]], 5_000);
    const outcome = settle(failover.getSecretValue(request, { isKnownRejected }));
    await clock.advance(5_000);
    expect(await outcome).toMatchObject({ value: { secretData: 'revoked key' } });
    expect(sources[0]?.calls).toHaveLength(1); // the agent was not asked again within the call
    expect(sources[1]?.calls.length).toBeGreaterThan(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a source of its own returns the rejected answer (there is no other to ask)', async () => {
    const { clock, failover } = setup([[{ answer: 'revoked key' }]]);
    const outcome = settle(failover.getSecretValue(request, { isKnownRejected }));
    await clock.advance(0);
    expect(await outcome).toMatchObject({ value: { secretData: 'revoked key' } });
  });

  it('a predicate that throws counts as "not rejected"', async () => {
    const { clock, failover } = setup([[{ answer: 'revoked key' }], [{ answer: 'new key' }]]);
    const outcome = settle(
      failover.getSecretValue(request, {
        isKnownRejected: () => {
          throw new Error('bug');
        },
      }),
    );
    await clock.advance(0);
    expect(await outcome).toMatchObject({ value: { secretData: 'revoked key' } });
  });
});

describe('FailoverSecretSource.servedBy (who a rejected call\'s error names)', () => {
  const member = (servedBy?: string) => Object.assign(new ScriptedSource('member', new VirtualClock(0), []), servedBy === undefined ? {} : { servedBy });

  it('is the members\' common name, and KMS for a mixed group or members that name none', () => {
    expect(new FailoverSecretSource({ sources: [member('the KMS Agent'), member('the KMS Agent')] }).servedBy).toBe('the KMS Agent');
    expect(new FailoverSecretSource({ sources: [member('the KMS Agent'), member()] }).servedBy).toBe('KMS');
    expect(new FailoverSecretSource({ sources: [member(), member()] }).servedBy).toBe('KMS');
  });
});
