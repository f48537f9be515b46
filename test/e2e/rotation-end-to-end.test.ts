import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { sharedCacheClientKeys } from '../../src/cache/shared-cache-client.js';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { acquireDefaultCacheClient } from '../../src/defaults/default-cache-client.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms, LocalOss } from '../../src/testing/index.js';
import { captureProcessWarnings } from '../support/capture-output.js';

// The whole product on real sockets: a properties file -> ConfigLoader -> DKMS source over TLS (LocalDkms,
// ClientKey signatures verified) -> SecretCacheClient -> ProxyBucket -> ali-oss -> LocalOss (V1 signatures
// verified, keys revoked at run time).
const SECRET = 'oss-ram-ak';
const BUCKET = 'e2e-bucket';
let dkms: LocalDkms;
let oss: LocalOss;
let dir: string;
let keyNumber = 0;
let currentKey: { accessKeyId: string; accessKeySecret: string };

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  return { accessKeyId: `LTAI-E2E-${keyNumber}`, accessKeySecret: `e2e-secret-${keyNumber}-abcdefghijklmnop` };
}

/** Rotation as KMS does it, followed by an immediate revoke of the old key (an emergency rotation). */
function rotateAndRevoke(): void {
  const old = currentKey;
  currentKey = newKey();
  oss.keys.add(currentKey);
  dkms.rotate(SECRET, currentKey);
  oss.keys.revoke(old.accessKeyId);
}

beforeAll(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'amc-e2e-'));
  const files = await dkms.writeClientFiles(dir);
  const dkmsEntry = [
    {
      regionId: 'cn-local',
      endpoint: dkms.endpoint,
      clientKeyFile: files.clientKeyFile,
      passwordFromFilePath: files.passwordFile,
      caFilePath: files.caFile,
    },
  ];
  await writeFile(
    join(dir, 'managed_credentials_providers.properties'),
    [
      '# written by the end-to-end test',
      `cache_client_dkms_config_info=${JSON.stringify(dkmsEntry)}`,
      // keep background refreshes out of the picture: the test triggers every refresh itself
      'rotation_interval=3600000',
      'refresh_jitter_max=0',
      '',
    ].join('\n'),
  );
  ConfigLoader.setConfigName(join(dir, 'managed_credentials_providers.properties'));
});

afterAll(async () => {
  ConfigLoader.setConfigName(undefined);
  await Promise.all([dkms.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  currentKey = newKey();
  oss.keys.add(currentKey);
  dkms.setRamCredential(SECRET, { ...currentKey, rotationIntervalMs: 7 * 24 * 3600_000 });
});

afterEach(() => {
  expect(sharedCacheClientKeys()).toEqual([]); // every test released the shared cache it used
});

describe('ProxyBucket configured by a properties file', () => {
  it('loads the key from DKMS, survives an emergency rotation, and releases the shared cache on shutdown', async () => {
    const bucket = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET) });
    await bucket.put('hello.txt', Buffer.from('hello'));
    expect(bucket.accessKeyId).toBe(currentKey.accessKeyId);
    const callsBefore = dkms.getSecretValueCount(SECRET);

    rotateAndRevoke();
    await bucket.put('after-rotation.txt', Buffer.from('still works'));

    expect(oss.getObject(BUCKET, 'after-rotation.txt')?.body.toString()).toBe('still works');
    expect(bucket.accessKeyId).toBe(currentKey.accessKeyId);
    expect(dkms.getSecretValueCount(SECRET) - callsBefore).toBe(1);
    await bucket.shutdown();
  });

  it('shares one cache between buckets of the same configuration: 100 buckets, 1 KMS call', async () => {
    const buckets = Array.from({ length: 100 }, () => new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET) }));
    expect(sharedCacheClientKeys()).toHaveLength(1);
    const before = dkms.getSecretValueCount(SECRET);
    await Promise.all(buckets.map((b, i) => b.put(`shared-${i}.txt`, Buffer.from(String(i)))));
    expect(dkms.getSecretValueCount(SECRET) - before).toBe(1);
    await Promise.all(buckets.map((b) => b.shutdown()));
  });
});

describe('the default cache client of a configuration', () => {
  it('prefetches secret_names before any call and prints config warnings once per configuration', async () => {
    const propertiesFile = join(dir, 'prefetch.properties');
    const base = await readFile(join(dir, 'managed_credentials_providers.properties'), 'utf8');
    await writeFile(propertiesFile, `${base}secret_names=${SECRET}\nrotation_intervall=1\n`);
    const config = ConfigLoader.load({ configName: propertiesFile });
    const warnings = captureProcessWarnings(); // expected here: asserted, not printed
    try {
      const before = dkms.getSecretValueCount(SECRET);
      const first = acquireDefaultCacheClient(config);
      const second = acquireDefaultCacheClient(config);
      expect(second.client).toBe(first.client);
      await vi.waitFor(() => expect(first.client.peekCredential(SECRET)?.accessKeyId).toBe(currentKey.accessKeyId));
      expect(dkms.getSecretValueCount(SECRET) - before).toBe(1);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings.messages().filter((m) => m.includes('rotation_intervall'))).toHaveLength(1);
      await first.release();
      expect(first.client.closed).toBe(false); // the second lease still holds it
      await second.release();
      expect(first.client.closed).toBe(true);
    } finally {
      warnings.restore();
    }
  });
});

describe('ProxyBucket without a usable configuration', () => {
  it('throws a ConfigError naming the file it looked for, synchronously', () => {
    const missing = join(dir, 'nowhere.properties');
    ConfigLoader.setConfigName(missing);
    try {
      expect(() => new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET) })).toThrow(
        expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('nowhere.properties') }),
      );
    } finally {
      ConfigLoader.setConfigName(join(dir, 'managed_credentials_providers.properties'));
    }
  });
});

describe('rotation storm', () => {
  it('1,000 concurrent calls across a revoke: 0 errors and exactly 1 GetSecretValue', async () => {
    const cache = new SecretCacheClient({ source: secretSourceFromConfig(ConfigLoader.load()), ownsSource: true, jitterMaxMs: 0 });
    const bucket = new ProxyBucket({ secretName: SECRET, cacheClient: cache, ...oss.clientOptions(BUCKET) });
    oss.putObject(BUCKET, 'storm.txt', 'storm');
    await bucket.ready();
    rotateAndRevoke();
    const before = dkms.getSecretValueCount(SECRET);

    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        i % 3 === 0 ? bucket.put(`storm-${i}.txt`, Buffer.from(`body-${i}`)) : i % 3 === 1 ? bucket.get('storm.txt') : bucket.head('storm.txt'),
      ),
    );

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(dkms.getSecretValueCount(SECRET) - before).toBe(1);
    expect(oss.getObject(BUCKET, 'storm-999.txt')?.body.toString()).toBe('body-999');
    await bucket.shutdown();
    await cache.close();
  });
});

describe('uploads across a revoke with the real cache', () => {
  it('putStream never stores a bad object; multipartUpload completes with one uploadId', async () => {
    const cache = new SecretCacheClient({ source: secretSourceFromConfig(ConfigLoader.load()), ownsSource: true, jitterMaxMs: 0 });
    const bucket = new ProxyBucket({ secretName: SECRET, cacheClient: cache, ...oss.clientOptions(BUCKET) });
    await bucket.ready();

    rotateAndRevoke();
    await expect(bucket.putStream('s.bin', Readable.from([Buffer.from('streamed')]))).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
      retryWithFreshBody: true,
    });
    await oss.whenIdle();
    expect(oss.getObject(BUCKET, 's.bin')).toBeUndefined();
    await bucket.putStream('s.bin', Readable.from([Buffer.from('streamed')]));
    expect(oss.getObject(BUCKET, 's.bin')?.body.toString()).toBe('streamed');

    oss.requests.clear();
    const data = Buffer.alloc(100 * 1024 * 3 + 1, 'z');
    let rotated = false;
    await bucket.multipartUpload('mp.bin', data, {
      partSize: 100 * 1024,
      parallel: 1,
      progress: async (p: number) => {
        if (p > 0 && !rotated) {
          rotated = true;
          rotateAndRevoke();
        }
      },
    });
    expect(oss.getObject(BUCKET, 'mp.bin')?.body.equals(data)).toBe(true);
    const uploadIds = new Set(oss.requests.entries().map((r) => r.query.uploadId).filter(Boolean));
    expect(uploadIds.size).toBe(1);
    await bucket.shutdown();
    await cache.close();
  });
});
