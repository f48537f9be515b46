import { describe, expect, it } from 'vitest';
import { SecretCacheError, SecretCacheErrorCode } from '../../src/cache/secret-cache-error.js';
import { SecretDataError } from '../../src/credentials/secret-data-error.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { unavailable } from '../support/in-memory-secret-source.js';
import { createCache, putRamKey, secretOf } from './cache-fixture.js';

describe('SecretCacheClient: loading', () => {
  it('makes the first caller wait for the first load, then serves from memory', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    expect(client.peekCredential('oss-ak')).toBeUndefined();
    const credential = await client.getCredential('oss-ak');
    expect(credential.accessKeyId).toBe('AK1');
    expect(credential.accessKeySecret).toBe(secretOf('AK1'));
    expect(credential.secretName).toBe('oss-ak');
    expect(client.peekCredential('oss-ak')).toBe(credential);
    expect(await client.getCredential('oss-ak')).toBe(credential);
    expect(source.callCount).toBe(1);
    expect(source.calls[0]).toEqual({ secretName: 'oss-ak', fetchExtendedConfig: true });
  });

  it('shares one fetch among 100 concurrent callers on a cold cache', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    const release = source.hold();
    const calls = Array.from({ length: 100 }, () => client.getCredential('oss-ak'));
    release();
    const credentials = await Promise.all(calls);
    expect(source.callCount).toBe(1);
    expect(new Set(credentials).size).toBe(1);
  });

  it('rejects every waiter of a failed first load, fails fast afterwards and heals in the background', async () => {
    const { client, store, source, events, clock } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    source.failNext(unavailable());
    const results = await Promise.allSettled([client.getCredential('oss-ak'), client.getCredential('oss-ak')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const firstError = (results[0] as PromiseRejectedResult).reason as KmsError;
    expect(firstError).toBeInstanceOf(KmsError);
    expect(firstError.retryable).toBe(true);
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'failed', consecutiveFailures: 1, lastErrorCode: 'ServiceUnavailableTemporary' });
    const retryAtMs = events.error[0]?.retryAtMs as number;
    expect(events.error).toEqual([expect.objectContaining({ secretName: 'oss-ak', trigger: 'load', servingStale: false })]);
    expect(retryAtMs - clock.now()).toBeGreaterThanOrEqual(1000); // at least the minimum interval
    expect(retryAtMs - clock.now()).toBeLessThanOrEqual(30_000); // at most 30 s while nothing was loaded

    // Callers in between fail fast with the same error instead of each waiting for a new fetch.
    await expect(client.getCredential('oss-ak')).rejects.toBe(firstError);
    expect(source.callCount).toBe(1);
    expect(clock.keepAliveTimers).toBe(0);

    await clock.advance(retryAtMs - clock.now()); // the background retry succeeds
    expect(source.callCount).toBe(2);
    expect(events.refresh).toEqual([expect.objectContaining({ trigger: 'retry', accessKeyId: 'AK1' })]);
    expect((await client.getCredential('oss-ak')).accessKeyId).toBe('AK1');
    expect(client.getStatus('oss-ak')).toMatchObject({ state: 'fresh', consecutiveFailures: 0, lastErrorCode: undefined });
  });

  it('retries a failed first load at most 30 s apart while the error is transient, however long it lasts', async () => {
    const { client, store, source, clock } = createCache({ random: () => 0.999 });
    putRamKey(store, 'oss-ak', 'AK1');
    source.goDown(unavailable());
    await expect(client.getCredential('oss-ak')).rejects.toMatchObject({ code: 'ServiceUnavailableTemporary' });
    await clock.advance(10 * 60_000);
    const calls = source.callCount;
    await clock.advance(10 * 60_000);
    expect(source.callCount - calls).toBeGreaterThanOrEqual(20); // ~30 s apart, not 10 min
    source.recover();
    await clock.advance(30_000);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK1');
  });

  it('rejects a failed first load of an unknown secret with the source error and retries it only slowly', async () => {
    const { client, clock, events } = createCache();
    await expect(client.getSecretInfo('missing')).rejects.toMatchObject({ code: 'Forbidden.ResourceNotFound' });
    // Not retryable: the background retry uses the regular backoff (the secret may be created later).
    expect(clock.pendingTimers).toBe(1);
    expect(events.error[0]?.retryAtMs).toBeDefined();
  });

  it('serves any secret through getSecretInfo and refuses a non-AccessKey one in getCredential; refreshNow asks KMS again at once', async () => {
    const { client, store, source, clock } = createCache();
    store.setSecret('db-password', { secretData: 'hunter2-plain-text' });
    const info = await client.getSecretInfo('db-password');
    expect(info.secretData).toBe('hunter2-plain-text');
    await expect(client.getCredential('db-password')).rejects.toBeInstanceOf(SecretDataError);
    expect(source.callCount).toBe(1); // getCredential reads what is held...
    await expect(client.refreshNow('db-password')).rejects.toBeInstanceOf(SecretDataError);
    expect(source.callCount).toBe(2); // ...refreshNow asks again at once (the value may have been fixed in KMS)
    expect(client.peekCredential('db-password')).toBeUndefined();
    // Someone wants an AccessKey from it: the background asks again within 30 s, not at the regular schedule.
    await expect(client.getCredential('db-password')).rejects.toBeInstanceOf(SecretDataError);
    store.setSecret('db-password', { secretData: JSON.stringify({ AccessKeyId: 'AK9', AccessKeySecret: 'fixed-secret-0123456789' }) });
    await clock.advance(30 * 1000);
    expect(client.peekCredential('db-password')?.accessKeyId).toBe('AK9');
  });

  it('rejects a RAM credential secret whose first SecretData is malformed, naming the field and not the data', async () => {
    const { client, store } = createCache();
    store.setSecret('oss-ak', {
      secretType: 'RAMCredentials',
      extendedConfig: { SecretSubType: 'RamUserAccessKey' },
      secretData: JSON.stringify({ AccessKeyId: 'AK1', AccessKeySecret: '' , Note: 'leaky-marker-value' }),
    });
    const error = await client.getSecretInfo('oss-ak').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretDataError);
    expect((error as SecretDataError).field).toBe('AccessKeySecret');
    expect(String((error as Error).message)).not.toContain('leaky-marker-value');
  });

  it('passes the configured version stage to the source', async () => {
    const { client, store, source } = createCache({ versionStage: 'ACSPrevious' });
    putRamKey(store, 'oss-ak', 'AK1');
    store.rotate('oss-ak', { accessKeyId: 'AK2', accessKeySecret: secretOf('AK2') });
    expect((await client.getCredential('oss-ak')).accessKeyId).toBe('AK1');
    expect(source.calls[0]).toEqual({ secretName: 'oss-ak', versionStage: 'ACSPrevious', fetchExtendedConfig: true });
  });

  it('lets one waiter give up through its signal while the shared fetch serves the others', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    const release = source.hold();
    const controller = new AbortController();
    const impatient = client.getCredential('oss-ak', { signal: controller.signal });
    const patient = client.getCredential('oss-ak');
    controller.abort(new Error('caller gave up'));
    await expect(impatient).rejects.toThrow('caller gave up');
    release();
    expect((await patient).accessKeyId).toBe('AK1');
    expect(source.callCount).toBe(1);
  });

  it('rejects an empty secret name with a typed error', async () => {
    const { client } = createCache();
    await expect(client.getCredential('')).rejects.toMatchObject({ code: SecretCacheErrorCode.InvalidSecretName });
    await expect(client.getCredential('  ')).rejects.toBeInstanceOf(SecretCacheError);
  });

  it('keeps at most maxEntries secrets and stops the timers of evicted ones', async () => {
    const { client, store, clock } = createCache({ maxEntries: 2 });
    for (const name of ['a', 'b', 'c']) putRamKey(store, name, `AK-${name}`);
    await client.getCredential('a');
    await client.getCredential('b');
    expect(clock.pendingTimers).toBe(2);
    await client.getCredential('c');
    expect(client.getStatus('a')).toBeUndefined();
    expect(client.peekCredential('a')).toBeUndefined();
    expect(client.getStatus('c')?.accessKeyId).toBe('AK-c');
    expect(clock.pendingTimers).toBe(2);
  });
});
