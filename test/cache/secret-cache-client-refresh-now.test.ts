import { describe, expect, it } from 'vitest';
import { unavailable } from '../support/in-memory-secret-source.js';
import { createCache, HOUR, MINUTE, putRamKey, rotateRamKey, SECOND } from './cache-fixture.js';

/** A cache holding AK1, loaded long enough ago that the recovery pace allows a fetch at once. */
async function loadedCache(options: Parameters<typeof createCache>[0] = {}) {
  const fixture = createCache(options);
  putRamKey(fixture.store, 'oss-ak', 'AK1');
  const loaded = await fixture.client.getCredential('oss-ak');
  await fixture.clock.advance(10 * SECOND);
  return { ...fixture, loaded };
}

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
    const { client, store, source, events, clock } = await loadedCache();
    rotateRamKey(store, 'oss-ak', 'AK2');
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: true, via: 'fetched' });
    expect(outcome.credential.accessKeyId).toBe('AK2');
    expect(client.peekCredential('oss-ak')).toBe(outcome.credential);
    expect(source.callCount).toBe(2);
    expect(events.rotate).toEqual([expect.objectContaining({ trigger: 'forced', previousAccessKeyId: 'AK1', accessKeyId: 'AK2' })]);
    expect(events.reject).toEqual([{ secretName: 'oss-ak', accessKeyId: 'AK1', suspected: false, held: true }]);

    await clock.advance(10 * SECOND);
    const same = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' });
    expect(same).toMatchObject({ changed: false, via: 'fetched' });
    expect(same.credential.accessKeyId).toBe('AK2');
  });

  it('acts on the first report at once, even right after an answer that predates the rejection', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    rotateRamKey(store, 'oss-ak', 'AK2');
    expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).toMatchObject({ changed: true, via: 'fetched' });
    expect(source.callCount).toBe(2);
  });

  it('waits (holding the process open) for an attempt due within the minimum interval once KMS confirmed the key', async () => {
    const { client, store, source, clock } = createCache({ random: () => 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).toMatchObject({ changed: false, via: 'fetched' });
    rotateRamKey(store, 'oss-ak', 'AK2');
    await clock.advance(300);
    let settled = false;
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }).finally(() => (settled = true));
    await clock.advance(699);
    expect(settled).toBe(false);
    expect(source.callCount).toBe(2);
    expect(clock.keepAliveTimers).toBe(1); // the waiting caller holds the process open
    await clock.advance(1);
    expect(await outcome).toMatchObject({ changed: true });
    expect(source.callCount).toBe(3);
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('reports a change when KMS now holds the same AccessKeyId with another secret', async () => {
    const { client, store } = await loadedCache();
    store.rotate('oss-ak', { accessKeyId: 'AK1', accessKeySecret: 'a-corrected-secret-for-AK1' });
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: true, via: 'fetched' });
    expect(outcome.credential.accessKeySecret).toBe('a-corrected-secret-for-AK1');
  });

  it('takes the key held before the call as the rejected one when no stale key is given', async () => {
    const { client, store, clock } = await loadedCache();
    rotateRamKey(store, 'oss-ak', 'AK2');
    expect(await client.refreshNow('oss-ak')).toMatchObject({ changed: true, via: 'fetched' });
    await clock.advance(10 * SECOND);
    expect(await client.refreshNow('oss-ak')).toMatchObject({ changed: false, via: 'fetched' });
    // AK2 was reported, then KMS confirmed it in answer to a later request: KMS's word, no longer known rejected.
    expect(client.getStatus('oss-ak')?.rejectedAccessKeyIds).toEqual(['AK1']);
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'recovering', recoveryConfirmations: 1 });
  });

  it('turns 100 concurrent forced refreshes with the same stale key into exactly one KMS call', async () => {
    const { client, store, source } = await loadedCache();
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
  });

  it('follows a joined fetch that was sent before the rejection and returned the rejected key with one more fetch', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    source.readAtReceipt = true;
    const release = source.hold();
    await clock.advance(HOUR); // the scheduled fetch is sent and held: KMS answers with AK1
    rotateRamKey(store, 'oss-ak', 'AK2'); // ...but rotates before the answer arrives, and OSS rejects AK1
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    const answerOf = source.calls.length;
    release();
    await clock.advance(SECOND); // the follow-up respects the minimum interval after that answer
    expect(await outcome).toMatchObject({ changed: true });
    expect((await outcome).credential.accessKeyId).toBe('AK2');
    expect(source.callCount).toBe(answerOf + 1);
  });

  it('never answers "cached" with a held key that was itself rejected meanwhile', async () => {
    const { client, store, source, clock } = await loadedCache();
    rotateRamKey(store, 'oss-ak', 'AK2');
    expect((await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).credential.accessKeyId).toBe('AK2');
    rotateRamKey(store, 'oss-ak', 'AK3');
    await clock.advance(10 * SECOND);
    // AK2 is rejected by one call; a call still in flight with AK1 must not be told to retry with AK2.
    const releaseAfter = source.hold();
    const withAk2 = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' });
    const withAk1 = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    releaseAfter();
    const [a, b] = await Promise.all([withAk2, withAk1]);
    expect(a.credential.accessKeyId).toBe('AK3');
    expect(b).toMatchObject({ changed: true, via: 'joined' });
    expect(b.credential.accessKeyId).toBe('AK3');
  });

  it('paces recovery while KMS keeps serving a rejected key: about 1 s growing to 30 s, never locked out', async () => {
    const { client, store, source, clock, events } = await loadedCache();
    const callsAt: number[] = [];
    const startMs = clock.now();
    const before = source.callCount;
    // A key disabled in RAM before KMS rotates: every call fails; callers report it every second for 10 minutes.
    for (let t = 0; t < 10 * MINUTE; t += SECOND) {
      const count = source.callCount;
      const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
      await clock.advance(SECOND);
      expect((await outcome).changed).toBe(false);
      if (source.callCount > count) callsAt.push(clock.now() - startMs);
    }
    const calls = source.callCount - before;
    const gaps = callsAt.slice(1).map((at, i) => at - (callsAt[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SECOND); // never more than 1 KMS call/s
    expect(Math.max(...gaps)).toBeLessThanOrEqual(31 * SECOND); // never more than ~30 s apart
    expect(calls).toBeLessThan(10 * 60 / 10); // the pace grew: far fewer than one call per second
    expect(client.getStatus('oss-ak')?.state).toBe('recovering');

    // The operator rotates the secret: recovery follows within one step (<= 31 s), not 10 minutes.
    rotateRamKey(store, 'oss-ak', 'AK2');
    const rotatedAt = clock.now();
    let recoveredAt: number | undefined;
    for (let t = 0; t < 40 * SECOND && recoveredAt === undefined; t += 250) {
      await clock.advance(250);
      if (client.peekCredential('oss-ak')?.accessKeyId === 'AK2') recoveredAt = clock.now();
    }
    expect(recoveredAt).toBeDefined();
    expect((recoveredAt as number) - rotatedAt).toBeLessThanOrEqual(31 * SECOND);
    expect(events.refresh.at(-1)).toMatchObject({ trigger: 'recovery', accessKeyId: 'AK2', changed: true });
    expect(client.getStatus('oss-ak')?.state).toBe('fresh');
  });

  it('recovers within seconds when KMS rotates shortly after the key was disabled (about 1 KMS call/s meanwhile)', async () => {
    const { client, store, source, clock } = await loadedCache();
    const before = source.callCount;
    let outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: false, via: 'fetched' });
    for (let t = 0; t < 3 * SECOND; t += 100) {
      void client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
      await clock.advance(100);
    }
    rotateRamKey(store, 'oss-ak', 'AK2');
    const rotatedAt = clock.now();
    while (client.peekCredential('oss-ak')?.accessKeyId !== 'AK2') {
      outcome = await Promise.race([client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }), clock.advance(100).then(() => outcome)]);
      await clock.advance(100);
    }
    expect(clock.now() - rotatedAt).toBeLessThanOrEqual(5 * SECOND);
    expect(source.callCount - before).toBeLessThanOrEqual(Math.ceil((clock.now() - rotatedAt + 3 * SECOND) / SECOND));
  });

  it('answers at once with the held key ("paced") when the next attempt is not due soon, without calling KMS', async () => {
    const { client, source, clock } = await loadedCache();
    await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }); // KMS confirms AK1: backoff starts
    await clock.advance(100);
    const calls = source.callCount;
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: false, via: 'paced' });
    expect(outcome.retryAtMs).toBeGreaterThan(clock.now() + 1000);
    expect(source.callCount).toBe(calls);
  });

  it('stops re-asking in the background once nobody reports the rejected key any more', async () => {
    const { client, source, clock } = await loadedCache({ rotationIntervalMs: 6 * HOUR, jitterMaxMs: 0 });
    await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    await clock.advance(10 * MINUTE);
    const afterIdle = source.callCount;
    await clock.advance(60 * MINUTE);
    expect(source.callCount).toBe(afterIdle);
    expect(client.getStatus('oss-ak')?.state).toBe('fresh');
    // ...and a new report starts it again at once (never locked out).
    expect((await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).via).toBe('fetched');
  });

  it('forgets a rejection once a request with the key succeeds (a new key OSS accepted late)', async () => {
    const { client, store, source, clock } = await loadedCache();
    rotateRamKey(store, 'oss-ak', 'AK2');
    await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    // OSS does not accept AK2 yet: it is reported rejected, KMS confirms it.
    const pending = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' });
    await clock.advance(SECOND);
    expect(await pending).toMatchObject({ changed: false });
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'recovering', recoveryConfirmations: 1 });
    // Reported again after KMS's confirmation: known rejected again.
    void client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2', suspected: false }).catch(() => undefined);
    expect(client.getStatus('oss-ak')?.rejectedAccessKeyIds).toContain('AK2');
    client.reportKeyAccepted('oss-ak', 'AK2');
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'fresh', recoveryConfirmations: 0 });
    expect(client.getStatus('oss-ak')?.rejectedAccessKeyIds).not.toContain('AK2');
    // The next rotation with revoke recovers at once: nothing inherited from the propagation delay.
    await clock.advance(10 * SECOND);
    rotateRamKey(store, 'oss-ak', 'AK3');
    const calls = source.callCount;
    expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' })).toMatchObject({ changed: true, via: 'fetched' });
    expect(source.callCount).toBe(calls + 1);
  });

  it('treats a suspected rejection (403 without code) as weak: one check, no background loop', async () => {
    const { client, store, source, clock } = await loadedCache({ rotationIntervalMs: 6 * HOUR, jitterMaxMs: 0 });
    const before = source.callCount;
    for (let i = 0; i < 20; i++) {
      expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1', suspected: true })).toMatchObject({ changed: false });
      await clock.advance(10);
    }
    expect(source.callCount - before).toBe(1);
    expect(client.getStatus('oss-ak')?.rejectedAccessKeyIds).toEqual([]);
    await clock.advance(30 * MINUTE);
    expect(source.callCount - before).toBe(1); // no background re-asking for a mere suspicion

    // A real rotation afterwards is not delayed by the suspicion's pace.
    rotateRamKey(store, 'oss-ak', 'AK2');
    expect(await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' })).toMatchObject({ changed: true, via: 'fetched' });
  });

  it('resolves a failed forced refresh with the last good key, via "failed", and keeps retrying in the background', async () => {
    const { client, store, source, clock, events, loaded } = await loadedCache();
    source.failNext(unavailable());
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ credential: loaded, changed: false, via: 'failed' });
    expect(outcome.error).toMatchObject({ code: 'ServiceUnavailableTemporary' });
    expect(events.error.at(-1)).toMatchObject({ trigger: 'forced', servingStale: true });
    expect(client.getStatus('oss-ak')?.state).toBe('stale');

    rotateRamKey(store, 'oss-ak', 'AK2');
    await clock.runNext(); // the recovery attempt
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
    const { client, source } = await loadedCache();
    const release = source.hold();
    const controller = new AbortController();
    const outcome = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1', signal: controller.signal });
    controller.abort(new Error('request cancelled'));
    await expect(outcome).rejects.toThrow('request cancelled');
    release();
  });
});

describe('SecretCacheClient.refreshNow and close', () => {
  it('a caller waiting for a paced attempt is told the client closed, and no fetch starts after close', async () => {
    const { client, source, clock } = await (async () => {
      const fixture = createCache({ random: () => 0 });
      putRamKey(fixture.store, 'oss-ak', 'AK1');
      await fixture.client.getCredential('oss-ak');
      return fixture;
    })();
    await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }); // KMS confirms AK1
    const waiting = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' }).catch((error: unknown) => error);
    const calls = source.callCount;
    await client.close();
    await clock.advance(2 * SECOND);
    expect(await waiting).toMatchObject({ code: 'SecretCache.Closed' });
    expect(source.callCount).toBe(calls);
  });
});
