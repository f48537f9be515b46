// A complete program against local stand-ins for KMS and OSS: no Alibaba Cloud account needed.
// In a clone of this repository: npm ci && npm run build && npx tsx examples/local-emulators.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProxyBucket } from 'ali-oss-managed-credentials';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';

const key1 = { accessKeyId: 'LTAI5tLocalExampleKey1', accessKeySecret: 'local-example-secret-one-0123456789' };
const key2 = { accessKeyId: 'LTAI5tLocalExampleKey2', accessKeySecret: 'local-example-secret-two-0123456789' };

// OSS (checks every request's signature) and a KMS instance (checks the ClientKey's signature), on 127.0.0.1.
const oss = await LocalOss.start({ buckets: ['my-bucket'], keys: [key1] });
const kms = await LocalDkms.start();
kms.setRamCredential('oss-ram-ak', key1); // the managed RAM credential, as KMS Secrets Manager holds it
const dir = await mkdtemp(join(tmpdir(), 'local-kms-'));
const files = await kms.writeClientFiles(dir); // the ClientKey, its password file and the CA bundle

// In production this configuration is your managed_credentials_providers.properties file.
const bucket = new ProxyBucket({
  secretName: 'oss-ram-ak',
  ...oss.clientOptions('my-bucket'),
  config: {
    cache_client_dkms_config_info: [{
      regionId: 'cn-hangzhou',
      endpoint: kms.endpoint,
      clientKeyFile: files.clientKeyFile,
      passwordFromFilePath: files.passwordFile,
      caFilePath: files.caFile,
    }],
  },
});
await bucket.put('hello.txt', Buffer.from('hello from a rotating key'));
console.log(`stored with ${bucket.accessKeyId}`);

// An emergency rotation: KMS now serves key2, and OSS forgets key1 at once.
oss.keys.add(key2);
kms.rotate('oss-ram-ak', key2);
oss.keys.revoke(key1.accessKeyId);

const { content } = await bucket.get('hello.txt'); // rejected with key1, refreshed once, retried with key2
console.log(`read "${String(content)}" with ${bucket.accessKeyId}; KMS calls: ${kms.getSecretValueCount('oss-ram-ak')}`);

await bucket.shutdown();
await Promise.all([kms.close(), oss.close()]);
await rm(dir, { recursive: true, force: true });
