/**
 * Testing your own code against the emulators with the built-in `node:test` runner.
 * Run: `node --import tsx --test examples/testing/emulators.node-test.ts`
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SecretCacheClient, ProxyBucket } from 'ali-oss-managed-credentials';
import { DkmsSecretSource, clientKeyFromPem } from 'ali-oss-managed-credentials/sources';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';
import { storeReport } from './upload-service.js';

const SECRET = 'oss-ram-ak';
const FIRST = { accessKeyId: 'LTAI5tNodeTest1', accessKeySecret: 'node-test-secret-1' };
const SECOND = { accessKeyId: 'LTAI5tNodeTest2', accessKeySecret: 'node-test-secret-2' };

let dkms: LocalDkms;
let oss: LocalOss;
let cache: SecretCacheClient;
let bucket: ProxyBucket;

before(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: ['reports'], keys: [FIRST] })]);
  dkms.setRamCredential(SECRET, FIRST);
  const source = new DkmsSecretSource({
    endpoint: dkms.endpoint,
    clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
    ca: dkms.caBundlePem,
  });
  cache = new SecretCacheClient({ source, ownsSource: true });
  bucket = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions('reports'), cacheClient: cache });
});

after(async () => {
  await bucket.shutdown();
  await cache.close();
  await Promise.all([dkms.close(), oss.close()]);
});

test('storeReport stores the report', async () => {
  const name = await storeReport(bucket, '2026-11-29', 'all good');
  assert.equal(oss.getObject('reports', name)?.body.toString(), 'all good');
});

test('storeReport survives a rotation with the old key revoked', async () => {
  oss.keys.add(SECOND);
  dkms.rotate(SECRET, SECOND);
  oss.keys.revoke(FIRST.accessKeyId);
  const name = await storeReport(bucket, '2026-11-30', 'still good');
  assert.equal(oss.getObject('reports', name)?.body.toString(), 'still good');
  assert.equal(bucket.accessKeyId, SECOND.accessKeyId);
});
