import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import type { SecretRefreshEvent, SecretRotateEvent } from '../../src/cache/secret-cache-events.js';
import type { OssBucket } from '../../src/oss/oss-bucket.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { ProxyBucketErrorCode } from '../../src/oss/proxy-bucket-error.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { credential, ManualCredentialProvider } from '../support/manual-credential-provider.js';

// Two buckets on one real SecretCacheClient (over an in-memory KMS), each for its own secret, against LocalOss.
const BUCKET = 'conveniences';
let oss: LocalOss;
let store: SecretStore;
let cache: SecretCacheClient;
let a: ProxyBucket;
let b: ProxyBucket;
let keyNumber = 0;

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  const key = { accessKeyId: `LTAI-CONV-${keyNumber}`, accessKeySecret: `conv-secret-${keyNumber}-abcdefghijklmnop` };
  oss.keys.add(key);
  return key;
}

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET] });
});
afterAll(async () => {
  await oss.close();
});
beforeEach(() => {
  store = new SecretStore();
  store.setRamCredential('secret-a', newKey());
  store.setRamCredential('secret-b', newKey());
  cache = new SecretCacheClient({ source: new InMemorySecretSource(store), ownsSource: true, jitterMaxMs: 0 });
  a = new ProxyBucket({ secretName: 'secret-a', cacheClient: cache, ...oss.clientOptions(BUCKET) });
  b = new ProxyBucket({ secretName: 'secret-b', cacheClient: cache, ...oss.clientOptions(BUCKET) });
});
afterEach(async () => {
  await Promise.all([a.shutdown(), b.shutdown()]);
  await cache.close();
});

describe('bucket.on / off', () => {
  it("forwards the cache's events of the bucket's own secret only", async () => {
    const rotations: SecretRotateEvent[] = [];
    const refreshes: SecretRefreshEvent[] = [];
    a.on('rotate', (event) => rotations.push(event)).on('refresh', (event) => refreshes.push(event));
    await Promise.all([a.put('a.txt', Buffer.from('a')), b.put('b.txt', Buffer.from('b'))]);
    expect(refreshes.map((event) => [event.secretName, event.trigger])).toEqual([['secret-a', 'load']]);

    store.rotate('secret-b', newKey());
    await cache.refreshNow('secret-b');
    expect(rotations).toEqual([]);

    const next = newKey();
    store.rotate('secret-a', next);
    await cache.refreshNow('secret-a');
    expect(rotations).toMatchObject([{ secretName: 'secret-a', accessKeyId: next.accessKeyId }]);
  });

  it('off removes a listener; adding the same listener twice delivers once', async () => {
    const seen: string[] = [];
    const listener = (event: SecretRefreshEvent) => seen.push(event.trigger);
    a.on('refresh', listener).on('refresh', listener);
    await a.ready();
    expect(seen).toEqual(['load']);
    a.off('refresh', listener);
    await cache.refreshNow('secret-a');
    expect(seen).toEqual(['load']);
    expect(cache.listenerCount('refresh')).toBe(0);
  });

  it('shutdown removes every listener the bucket added from the shared cache', async () => {
    a.on('rotate', () => {}).on('error', () => {}).on('stale', () => {}).on('reject', () => {});
    b.on('rotate', () => {});
    expect(cache.listenerCount('rotate')).toBe(2);
    await a.shutdown();
    expect(['rotate', 'error', 'stale', 'reject'].map((event) => cache.listenerCount(event))).toEqual([1, 0, 0, 0]);
    expect(() => a.on('rotate', () => {})).toThrow(expect.objectContaining({ code: ProxyBucketErrorCode.Shutdown }));
  });

  it('explains when the cacheClient given has no events', () => {
    const plain = new ProxyBucket({ secretName: 's', cacheClient: new ManualCredentialProvider(credential('LTAI-X')), ...oss.clientOptions(BUCKET) });
    expect(() => plain.on('rotate', () => {})).toThrow(expect.objectContaining({ code: ProxyBucketErrorCode.EventsUnsupported }));
  });
});

describe('OssBucket', () => {
  it('stores a ProxyBucket with its lifecycle, no cast needed', async () => {
    const stored: OssBucket = a; // compile-time: ProxyBucket is an OssBucket
    await stored.ready();
    await stored.put('stored.txt', Buffer.from('stored'));
    expect(stored.accessKeyId).toBe(a.accessKeyId);
    await stored[Symbol.asyncDispose]();
    await expect(a.put('after.txt', Buffer.from('x'))).rejects.toMatchObject({ code: ProxyBucketErrorCode.Shutdown });
  });
});
