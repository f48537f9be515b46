import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS } from '../../src/runtime/clock.js';
import { createCache, DAY, HOUR, MINUTE, putRamKey, rotateRamKey } from './cache-fixture.js';

describe('SecretCacheClient: refresh schedule', () => {
  it('picks up a scheduled rotation at NextRotationDate + delay + jitter, then returns to the interval', async () => {
    // random() = 0.5 -> jitter = 5 min of the default 10
    const { client, store, source, clock, events } = createCache();
    putRamKey(store, 'oss-ak', 'AK1', 7 * DAY);
    const start = clock.now();
    const rotationAt = start + 2 * HOUR;
    store.setRotation('oss-ak', { enabled: true, nextRotationDateMs: rotationAt });

    await client.getCredential('oss-ak');
    expect(client.getStatus('oss-ak')?.nextRefreshAtMs).toBe(rotationAt + 5 * MINUTE + 5 * MINUTE);
    expect(events.refresh[0]).toMatchObject({ trigger: 'load', basis: 'next-rotation', accessKeyId: 'AK1', changed: true });

    await clock.advance(2 * HOUR);
    rotateRamKey(store, 'oss-ak', 'AK2'); // KMS rotates on time; the old key stays valid for a while
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK1');

    await clock.advance(10 * MINUTE - 1);
    expect(source.callCount).toBe(1);
    await clock.advance(1);
    expect(source.callCount).toBe(2);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
    expect(events.rotate).toEqual([
      expect.objectContaining({ secretName: 'oss-ak', trigger: 'scheduled', previousAccessKeyId: 'AK1', accessKeyId: 'AK2' }),
    ]);
    // The next rotation is 7 days away: back to every 6 h + jitter.
    expect(events.refresh[1]).toMatchObject({ trigger: 'scheduled', basis: 'rotation-interval', changed: true });
    expect(client.getStatus('oss-ak')?.nextRefreshAtMs).toBe(clock.now() + 6 * HOUR + 5 * MINUTE);
  });

  it('refreshes a RAM AccessKey without rotation date every rotationInterval + jitter (one KMS call per interval)', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    await clock.advance(24 * HOUR);
    expect(source.callCount).toBe(25);
  });

  it('draws the jitter afresh for every refresh', async () => {
    const draws = [0.1, 0.9, 0.4];
    let i = 0;
    const { client, store, clock } = createCache({ random: () => draws[i++ % draws.length] ?? 0, rotationIntervalMs: HOUR });
    putRamKey(store, 'oss-ak', 'AK1');
    const dueTimes: number[] = [];
    await client.getCredential('oss-ak');
    for (let n = 0; n < 3; n++) {
      const due = client.getStatus('oss-ak')?.nextRefreshAtMs ?? 0;
      dueTimes.push(due - clock.now());
      await clock.advance(due - clock.now());
    }
    expect(dueTimes).toEqual([HOUR + 1 * MINUTE, HOUR + 9 * MINUTE, HOUR + 4 * MINUTE]);
  });

  it('uses RefreshInterval from the SecretData of other secrets ("120s" and a number of seconds)', async () => {
    const { client, store, source, clock } = createCache({ jitterMaxMs: 0 });
    store.setSecret('app-config', { secretData: JSON.stringify({ RefreshInterval: '120s', value: 1 }) });
    store.setSecret('other-config', { secretData: JSON.stringify({ RefreshInterval: 300 }) });
    store.setSecret('plain', { secretData: 'no hints here' });
    await Promise.all([client.getSecretInfo('app-config'), client.getSecretInfo('other-config'), client.getSecretInfo('plain')]);
    await clock.advance(10 * MINUTE);
    const count = (name: string) => source.calls.filter((c) => c.secretName === name).length;
    expect(count('app-config')).toBe(1 + 5);
    expect(count('other-config')).toBe(1 + 2);
    expect(count('plain')).toBe(1); // default TTL is 1 h
    await clock.advance(50 * MINUTE);
    expect(count('plain')).toBe(2);
  });

  it('waits intervals longer than 24.8 days with re-armed capped timers, without firing early', async () => {
    const { client, store, source, clock } = createCache({ defaultTtlMs: 30 * DAY, jitterMaxMs: 0 });
    store.setSecret('yearly', { secretData: 'v1' });
    await client.getSecretInfo('yearly');
    await clock.advance(MAX_TIMER_DELAY_MS);
    expect(source.callCount).toBe(1);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(30 * DAY - MAX_TIMER_DELAY_MS - 1);
    expect(source.callCount).toBe(1);
    await clock.advance(1);
    expect(source.callCount).toBe(2);
  });

  it('reports a refresh that returned the same key as unchanged, without a rotate event', async () => {
    const { client, store, clock, events } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    await clock.advance(HOUR);
    expect(events.refresh.map((e) => e.changed)).toEqual([true, false]);
    expect(events.rotate).toEqual([]);
    expect(events.refresh[1]?.durationMs).toBe(0);
    expect(events.refresh[1]?.nextRefreshAtMs).toBe(clock.now() + HOUR);
  });
});
