import { describe, expect, it } from 'vitest';
import { unavailable } from '../support/in-memory-secret-source.js';
import { createCache, HOUR, MINUTE, putRamKey, rotateRamKey } from './cache-fixture.js';

describe('SecretCacheClient.refreshNow', () => {
  it('answers from the cache without calling KMS when it already holds another key than the rejected one', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK2');
    const current = await client.getCredential('oss-ak');
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toEqual({ credential: current, changed: true, via: 'cached' });
    expect(source.callCount).toBe(1);
  });

  it('fetches when the cache holds the rejected key, and says whether the key changed', async () => {
    const { client, store, source, events } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    rotateRamKey(store, 'oss-ak', 'AK2');
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: true, via: 'fetched' });
    expect(outcome.credential.accessKeyId).toBe('AK2');
    expect(client.peekCredential('oss-ak')).toBe(outcome.credential);
    expect(source.callCount).toBe(2);
    expect(events.rotate).toEqual([expect.objectContaining({ trigger: 'forced', previousAccessKeyId: 'AK1', accessKeyId: 'AK2' })]);

    const same = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' });
    expect(same).toMatchObject({ changed: false, via: 'fetched' });
    expect(same.credential.accessKeyId).toBe('AK2');
  });

  it('reports a change when KMS now holds the same AccessKeyId with another secret', async () => {
    const { client, store } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    store.rotate('oss-ak', { accessKeyId: 'AK1', accessKeySecret: 'a-corrected-secret-for-AK1' });
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: true, via: 'fetched' });
    expect(outcome.credential.accessKeySecret).toBe('a-corrected-secret-for-AK1');
  });

  it('compares with the key held before the call when no stale key is given', async () => {
    const { client, store } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    expect(await client.refreshNow('oss-ak')).toMatchObject({ changed: false, via: 'fetched' });
    rotateRamKey(store, 'oss-ak', 'AK2');
    expect(await client.refreshNow('oss-ak')).toMatchObject({ changed: true, via: 'fetched' });
  });

  it('turns 100 concurrent forced refreshes with the same stale key into exactly one KMS call', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    rotateRamKey(store, 'oss-ak', 'AK2');
    const release = source.hold();
    const outcomes = Array.from({ length: 100 }, () => client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }));
    release();
    const results = await Promise.all(outcomes);
    expect(source.callCount).toBe(2);
    expect(results.filter((r) => r.via === 'fetched')).toHaveLength(1);
    expect(results.filter((r) => r.via === 'joined')).toHaveLength(99);
    expect(results.every((r) => r.changed && r.credential.accessKeyId === 'AK2')).toBe(true);
    // Late arrivals with the old key are answered from the cache.
    expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).toMatchObject({ via: 'cached', changed: true });
    expect(client.getStatus('oss-ak')?.forcedRefreshTokens).toBe(4);
  });

  it('joins a scheduled refresh that is already running instead of starting another', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    rotateRamKey(store, 'oss-ak', 'AK2');
    const release = source.hold();
    await clock.advance(HOUR);
    expect(client.getStatus('oss-ak')?.state).toBe('refreshing');
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    release();
    expect(await outcome).toMatchObject({ via: 'joined', changed: true });
    expect(source.callCount).toBe(2);
    expect(client.getStatus('oss-ak')?.forcedRefreshTokens).toBe(5);
  });

  it('is rate-limited per secret by a token bucket (5, one back per 10 min) and then makes no KMS call', async () => {
    const { client, store, source, clock } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    putRamKey(store, 'other', 'AKX');
    await client.getCredential('oss-ak');
    await client.getCredential('other');
    for (let i = 0; i < 5; i++) expect((await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).via).toBe('fetched');
    const limited = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(limited).toMatchObject({ via: 'rate-limited', changed: false });
    expect(limited.credential.accessKeyId).toBe('AK1');
    expect(source.callCount).toBe(2 + 5);
    expect((await client.refreshNow('other', { staleAccessKeyId: 'AKX' })).via).toBe('fetched'); // budgets are per secret

    await clock.advance(10 * MINUTE);
    expect((await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).via).toBe('fetched');
    expect((await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).via).toBe('rate-limited');
  });

  it('honours a configured budget', async () => {
    const { client, store } = createCache({ forcedRefresh: { capacity: 1, refillIntervalMs: MINUTE } });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    expect((await client.refreshNow('oss-ak')).via).toBe('fetched');
    expect((await client.refreshNow('oss-ak')).via).toBe('rate-limited');
  });

  it('resolves a failed forced refresh with the last good key, via "failed", and keeps retrying in the background', async () => {
    const { client, store, source, clock, events } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    const good = await client.getCredential('oss-ak');
    source.failNext(unavailable());
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ credential: good, changed: false, via: 'failed' });
    expect(outcome.error).toMatchObject({ code: 'ServiceUnavailableTemporary' });
    expect(events.error.at(-1)).toMatchObject({ trigger: 'forced', servingStale: true });
    expect(client.getStatus('oss-ak')?.state).toBe('stale');

    rotateRamKey(store, 'oss-ak', 'AK2');
    await clock.runNext(); // the backoff retry
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
  });

  it('loads a secret that was never loaded, like getCredential', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK0' });
    expect(outcome).toMatchObject({ via: 'fetched', changed: true });
    expect(source.callCount).toBe(1);
    source.failNext(unavailable());
    await expect(client.refreshNow('never-loaded')).rejects.toMatchObject({ code: 'ServiceUnavailableTemporary' });
  });

  it('lets a caller abandon its wait through its signal', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    const release = source.hold();
    const controller = new AbortController();
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1', signal: controller.signal });
    controller.abort(new Error('request cancelled'));
    await expect(outcome).rejects.toThrow('request cancelled');
    release();
  });
});
