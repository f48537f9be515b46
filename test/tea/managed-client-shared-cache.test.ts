import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sharedCacheClientKeys } from '../../src/cache/shared-cache-client.js';
import type { ConfigOptions } from '../../src/config/config-loader.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { ManagedCredentialsProvider } from '../../src/tea/managed-credentials-provider.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalDkms, LocalOpenApi, LocalOss } from '../../src/testing/index.js';
import { CoreConfig, Sts } from './tea-sdk.js';

// Without cacheClient, Tea clients take the process-wide cache of their configuration, the very one
// ProxyBuckets of that configuration use (DKMS over TLS here, configured in code), and give it back on shutdown.
const SECRET = 'shared-ram-ak';
const BUCKET = 'shared-bucket';
const KEY = { accessKeyId: 'LTAI-SHARED-1', accessKeySecret: 'shared-secret-1-abcdefghijklmnop' };
let dkms: LocalDkms;
let api: LocalOpenApi;
let oss: LocalOss;
let dir: string;
let config: ConfigOptions;

beforeAll(async () => {
  [dkms, api, oss] = await Promise.all([LocalDkms.start(), LocalOpenApi.start({ keys: [KEY] }), LocalOss.start({ buckets: [BUCKET] })]);
  api.handle({ action: 'GetCallerIdentity' }, (call) => ({ RequestId: 'r', AccountId: '1', UserId: `user-of-${call.accessKeyId}`, Arn: 'acs:ram::1:user/u' }));
  oss.keys.add(KEY);
  dkms.setRamCredential(SECRET, { ...KEY, rotationIntervalMs: 7 * 24 * 3600_000 });
  dir = await mkdtemp(join(tmpdir(), 'amc-tea-shared-'));
  const files = await dkms.writeClientFiles(dir);
  config = {
    cache_client_dkms_config_info: [
      { regionId: 'cn-local', endpoint: dkms.endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: files.passwordFile, caFilePath: files.caFile },
    ],
    rotation_interval: 3_600_000,
    refresh_jitter_max: 0,
  };
});

afterAll(async () => {
  await Promise.all([dkms.close(), api.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  expect(sharedCacheClientKeys()).toEqual([]);
});

describe('Tea clients on the default cache', () => {
  it('share one cache (and one KMS call) with ProxyBuckets of the same configuration, released by shutdown', async () => {
    const clients = [1, 2, 3].map(() =>
      createManagedClient(Sts, new CoreConfig({ endpoint: api.host, protocol: 'http' }), { secretName: SECRET, config }),
    );
    const warnings: string[] = []; // read directly, the provider gives its one-time "unmanaged client" warning
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, config, logger: { warn: (message) => warnings.push(message) } });
    const bucket = new ProxyBucket({ secretName: SECRET, ...oss.clientOptions(BUCKET), config });
    expect(sharedCacheClientKeys()).toHaveLength(1);

    const identities = await Promise.all(clients.map((client) => client.getCallerIdentity()));
    await bucket.put('shared.txt', Buffer.from('shared'));
    expect(identities.map((r) => r.body?.userId)).toEqual([1, 2, 3].map(() => `user-of-${KEY.accessKeyId}`));
    expect((await provider.getCredentials()).accessKeyId).toBe(KEY.accessKeyId);
    expect(warnings).toEqual([expect.stringMatching(/^\[ALI_OSS_MC_UNMANAGED_TEA_CLIENT\] /)]);
    expect(dkms.getSecretValueCount(SECRET)).toBe(1);

    await Promise.all(clients.map((client) => shutdownManagedClient(client)));
    await provider.close();
    expect(sharedCacheClientKeys()).toHaveLength(1); // the bucket still holds it
    await bucket.shutdown();
  });

  it('gives the cache back when the client class refuses its config', () => {
    // The generated client throws without an endpoint or region.
    expect(() => createManagedClient(Sts, new CoreConfig({}), { secretName: SECRET, config })).toThrow(
      /RegionId is empty/,
    );
    expect(sharedCacheClientKeys()).toEqual([]);
  });
});
