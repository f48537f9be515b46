import { describe, expect, it } from 'vitest';
import { SecretCacheError } from '../../src/cache/secret-cache-error.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { unavailable } from '../support/in-memory-secret-source.js';
import { createCache, HOUR, MINUTE, putRamKey, rotateRamKey, SECOND } from './cache-fixture.js';

function stsData(id: string, expiresAtMs: number): string {
  return JSON.stringify({
    AccessKeyId: id,
    AccessKeySecret: `secret-of-${id}-0123456789`,
    SecurityToken: `token-of-${id}`,
    ExpireTimestamp: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
}

describe('SecretCacheClient: one bounded deadline per fetch', () => {
  it('rejects a caller with a retryable FetchTimeout at exactly fetchTimeoutMs when KMS never answers', async () => {
    const { client, store, source, clock } = createCache({ fetchTimeoutMs: 5000 });
    putRamKey(store, 'oss-ak', 'AK1');
    source.hold(); // KMS accepts and never answers
    let outcome: unknown;
    const waiting = client.getCredential('oss-ak').catch((error: unknown) => (outcome = error));
    await clock.advance(2000);
    // A caller joining later is bounded by the same deadline, not a new one.
    const late = client.getCredential('oss-ak').catch((error: unknown) => error);
    expect(clock.keepAliveTimers).toBe(2); // both waiting callers keep the process alive
    await clock.advance(2999);
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    await waiting;
    expect(outcome).toBeInstanceOf(KmsError);
    expect(outcome).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect((outcome as Error).message).toContain('oss-ak');
    expect(await late).toMatchObject({ code: 'Kms.FetchTimeout' });
    expect(clock.keepAliveTimers).toBe(0);
    expect(source.inFlight).toBe(0); // the fetch was aborted, not left running
    // The next caller fails fast with that error while the background retry runs.
    await expect(client.getCredential('oss-ak')).rejects.toMatchObject({ code: 'Kms.FetchTimeout' });
    expect(source.callCount).toBe(1);
  });

  it('passes the budget to the source, a little under the deadline so the source\'s own error wins', async () => {
    const seen: (number | undefined)[] = [];
    const { client, store, source } = createCache({ fetchTimeoutMs: 20_000 });
    const original = source.getSecretValue.bind(source);
    source.getSecretValue = (request, options) => {
      seen.push(options?.timeoutMs);
      return original(request, options);
    };
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    expect(seen).toEqual([19_750]);
  });
});

describe('SecretCacheClient: credentials that expire', () => {
  it('refreshes an STS credential ahead of its ExpireTimestamp', async () => {
    const { client, store, clock, events } = createCache({ jitterMaxMs: 0 });
    store.setSecret('sts-ak', { secretData: stsData('STS1', clock.now() + HOUR) });
    expect((await client.getCredential('sts-ak')).accessKeyId).toBe('STS1');
    expect(events.refresh[0]).toMatchObject({ basis: 'expiry' });
    // random 0.5: in the first half of the last 5 minutes
    expect((events.refresh[0]?.nextRefreshAtMs as number) - clock.now()).toBe(55 * MINUTE + 75 * SECOND);
    store.setSecret('sts-ak', { secretData: stsData('STS2', clock.now() + 2 * HOUR) });
    await clock.advance(57 * MINUTE);
    expect(client.peekCredential('sts-ak')?.accessKeyId).toBe('STS2');
  });

  it('never serves a credential past its ExpireTimestamp while KMS can be asked', async () => {
    const { client, store, source, clock } = createCache({ jitterMaxMs: 0 });
    store.setSecret('sts-ak', { secretData: stsData('STS1', clock.now() + HOUR) });
    await client.getCredential('sts-ak');
    source.goDown(unavailable());
    await clock.advance(HOUR);
    expect(client.peekCredential('sts-ak')).toBeUndefined();
    // The read may wait (holding the process) for an attempt due within the minimum interval; KMS is down, so it
    // fails within its deadline.
    const expired = client.getCredential('sts-ak').catch((error: unknown) => error);
    await clock.advance(5 * SECOND);
    expect(await expired).toBeInstanceOf(Error);
    // KMS holds the next token: the next read fetches it instead of serving the expired one.
    store.setSecret('sts-ak', { secretData: stsData('STS2', clock.now() + HOUR) });
    source.recover();
    await clock.advance(31 * SECOND);
    const reading = client.getCredential('sts-ak');
    await clock.advance(SECOND);
    expect((await reading).accessKeyId).toBe('STS2');
  });

  it('fails fast with SecretCache.Expired when KMS just confirmed the expired token', async () => {
    const { client, store, clock } = createCache({ jitterMaxMs: 0 });
    store.setSecret('sts-ak', { secretData: stsData('STS1', clock.now() + 10 * MINUTE) });
    await client.getCredential('sts-ak');
    await clock.advance(10 * MINUTE + 5 * SECOND); // KMS was asked in the window and still had STS1
    const error = await client.getCredential('sts-ak').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretCacheError);
    expect(error).toMatchObject({ code: 'SecretCache.Expired', secretName: 'sts-ak' });
    expect(String((error as Error).message)).not.toContain('token-of');
  });
});

describe('SecretCacheClient: monotonic scheduling', () => {
  it('is not delayed by a wall clock stepped back, nor fired early by one stepped forward', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    clock.setWallClock(clock.now() + 3 * HOUR);
    await clock.advance(SECOND);
    expect(source.callCount).toBe(1);
    clock.setWallClock(clock.now() - 5 * HOUR);
    await clock.advance(HOUR - SECOND);
    expect(source.callCount).toBe(2);
    rotateRamKey(store, 'oss-ak', 'AK2');
    await clock.advance(HOUR);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
  });
});

describe('SecretCacheClient: one deadline per caller, however many rounds', () => {
  it('a forced refresh that joins an old fetch and needs a follow-up still answers within fetchTimeoutMs of its call', async () => {
    const { client, store, source, clock } = createCache({ fetchTimeoutMs: 10_000, rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    source.readAtReceipt = true;
    const releaseFirst = source.hold();
    await clock.advance(HOUR); // the scheduled fetch is sent (it will answer AK1) and held
    rotateRamKey(store, 'oss-ak', 'AK2');
    await clock.advance(9000);
    const calledAt = clock.now();
    let settledAt: number | undefined;
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }).finally(() => (settledAt = clock.now()));
    await clock.advance(500);
    releaseFirst();
    source.hold(); // the follow-up fetch hangs
    await clock.advance(9499);
    expect(settledAt).toBeUndefined();
    await clock.advance(1);
    expect(await outcome).toMatchObject({ changed: false, via: 'failed', error: { code: 'Kms.FetchTimeout' } });
    expect((settledAt as number) - calledAt).toBe(10_000);
    expect(clock.keepAliveTimers).toBe(0);
  });
});
