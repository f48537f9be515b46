import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretCacheError, SecretCacheErrorCode } from '../../src/cache/secret-cache-error.js';
import { SecretDataError } from '../../src/credentials/secret-data-error.js';
import { fullJitterDelayMs } from '../../src/runtime/backoff.js';
import { unavailable } from '../support/in-memory-secret-source.js';
import { createCache, HOUR, MINUTE, putRamKey, rotateRamKey } from './cache-fixture.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('SecretCacheClient: failures', () => {
  it('serves the last good key while KMS is down, retries with full-jitter backoff, and recovers', async () => {
    const backoff = { baseMs: 2000, capMs: 10 * MINUTE };
    const { client, store, source, clock, events } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0, backoff });
    putRamKey(store, 'oss-ak', 'AK1');
    const good = await client.getCredential('oss-ak');

    source.goDown();
    await clock.advance(HOUR);
    expect(source.callCount).toBe(2);
    expect(events.error).toHaveLength(1);
    expect(events.error[0]).toMatchObject({ trigger: 'scheduled', consecutiveFailures: 1, servingStale: true });
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'stale', staleSinceMs: clock.now() });

    // Serving the stale key is announced once per failed refresh.
    expect(await client.getCredential('oss-ak')).toBe(good);
    expect(client.peekCredential('oss-ak')).toBe(good);
    expect(events.stale).toEqual([expect.objectContaining({ secretName: 'oss-ak', accessKeyId: 'AK1', staleSinceMs: clock.now() })]);

    // Each retry waits fullJitterDelayMs(attempt) (random = 0.5), growing up to the cap.
    for (let attempt = 0; attempt < 12; attempt++) {
      const expectedDelay = Math.max(1, fullJitterDelayMs(attempt, backoff, () => 0.5));
      expect(client.getStatus('oss-ak')?.nextRefreshAtMs).toBe(clock.now() + expectedDelay);
      expect(events.error.at(-1)?.retryAtMs).toBe(clock.now() + expectedDelay);
      await clock.advance(expectedDelay);
      expect(source.callCount).toBe(3 + attempt);
      expect(events.error.at(-1)?.trigger).toBe('retry');
    }
    expect(events.error.at(-1)?.retryAtMs).toBe(clock.now() + 5 * MINUTE); // half of the 10-min cap
    expect(await client.getCredential('oss-ak')).toBe(good);

    rotateRamKey(store, 'oss-ak', 'AK2');
    source.recover();
    await clock.advance(5 * MINUTE);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'fresh', consecutiveFailures: 0, staleSinceMs: undefined });
    expect(client.getStatus('oss-ak')?.nextRefreshAtMs).toBe(clock.now() + HOUR);
    expect(events.rotate.at(-1)).toMatchObject({ trigger: 'retry', accessKeyId: 'AK2' });
    expect(unhandled).toEqual([]);
  });

  it('fails fast with SecretCache.TooStale once refreshing has failed for longer than maxStalenessMs', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0, maxStalenessMs: 30 * MINUTE });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    source.goDown(unavailable('region down'));
    await clock.advance(HOUR + 30 * MINUTE);
    expect((await client.getCredential('oss-ak')).accessKeyId).toBe('AK1');
    await clock.advance(1);
    const error = await client.getCredential('oss-ak').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretCacheError);
    expect(error).toMatchObject({ code: SecretCacheErrorCode.TooStale, secretName: 'oss-ak' });
    expect((error as Error).message).toContain('maxStalenessMs');
    expect((error as Error).cause).toMatchObject({ code: 'ServiceUnavailableTemporary' });
    await expect(client.getSecretInfo('oss-ak')).rejects.toMatchObject({ code: SecretCacheErrorCode.TooStale });
    expect(client.peekCredential('oss-ak')).toBeUndefined();

    source.recover();
    await clock.advance(10 * MINUTE);
    expect((await client.getCredential('oss-ak')).accessKeyId).toBe('AK1');
  });

  it('keeps the last good key when a refresh returns malformed SecretData, and never leaks the data', async () => {
    const { client, store, clock, events } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    store.rotate('oss-ak', '{"AccessKeyId": "AK2", "AccessKeySecret": leaked-secret-material}');
    await clock.advance(HOUR);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK1');
    expect(events.error).toHaveLength(1);
    const event = events.error[0];
    expect(event?.error).toBeInstanceOf(SecretDataError);
    expect(inspect(event, { depth: 10 })).not.toContain('leaked-secret-material');
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'stale', lastErrorCode: 'SecretData.NotJson' });

    rotateRamKey(store, 'oss-ak', 'AK3');
    await clock.runNext();
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK3');
  });

  it('does not throw or leak a rejection when nobody listens to "error"', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    client.removeAllListeners('error');
    putRamKey(store, 'oss-ak', 'AK1');
    await client.getCredential('oss-ak');
    source.goDown();
    await clock.advance(3 * HOUR);
    expect(source.callCount).toBeGreaterThan(5);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK1');
    expect(unhandled).toEqual([]);
  });

  it('keeps refreshing when a listener throws, and reports the listener error as a process warning', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    // Captured, not printed: the warning is what this test expects.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      client.on('refresh', () => {
        throw new Error('listener bug');
      });
      putRamKey(store, 'oss-ak', 'AK1');
      await client.getCredential('oss-ak');
      await clock.advance(2 * HOUR);
      await new Promise((resolve) => setImmediate(resolve));
      expect(source.callCount).toBe(3);
      expect(emitWarning).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }), {
        code: 'SECRET_CACHE_LISTENER_ERROR',
      });
    } finally {
      emitWarning.mockRestore();
    }
  });
});
