/**
 * Testing your own code against the emulators with vitest: a real ProxyBucket talks over real sockets to
 * LocalDkms (a KMS instance) and LocalOss, and your test can rotate and revoke the key in between.
 * Run: `npx vitest run --config examples/testing/vitest.config.ts`
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretCacheClient, ProxyBucket } from 'ali-oss-managed-credentials';
import { DkmsSecretSource, clientKeyFromPem } from 'ali-oss-managed-credentials/sources';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';
import { storeReport } from './upload-service.js';

const SECRET = 'oss-ram-ak';
const FIRST = { accessKeyId: 'LTAI5tTestKey1', accessKeySecret: 'test-secret-1' };
const SECOND = { accessKeyId: 'LTAI5tTestKey2', accessKeySecret: 'test-secret-2' };

let dkms: LocalDkms;
let oss: LocalOss;
let cache: SecretCacheClient;
let bucket: ProxyBucket;

beforeAll(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: ['reports'], keys: [FIRST] })]);
  dkms.setRamCredential(SECRET, FIRST);
  // No properties file needed in tests: wire the source and cache in code.
  const source = new DkmsSecretSource({
    endpoint: dkms.endpoint,
    clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
    ca: dkms.caBundlePem,
  });
  cache = new SecretCacheClient({ source, ownsSource: true });
  bucket = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions('reports'), cacheClient: cache });
});

afterAll(async () => {
  await bucket.shutdown();
  await cache.close(); // a cacheClient you pass stays yours to close
  await Promise.all([dkms.close(), oss.close()]);
});

describe('storeReport', () => {
  it('stores the report', async () => {
    const name = await storeReport(bucket, '2026-11-29', 'all good');
    expect(oss.getObject('reports', name)?.body.toString()).toBe('all good');
  });

  it('keeps working when the key is rotated and the old one revoked', async () => {
    oss.keys.add(SECOND);
    dkms.rotate(SECRET, SECOND);
    oss.keys.revoke(FIRST.accessKeyId);

    const name = await storeReport(bucket, '2026-11-30', 'still good');

    expect(oss.getObject('reports', name)?.body.toString()).toBe('still good');
    expect(bucket.accessKeyId).toBe(SECOND.accessKeyId);
    expect(oss.requests.last()?.accessKeyId).toBe(SECOND.accessKeyId);
  });
});
