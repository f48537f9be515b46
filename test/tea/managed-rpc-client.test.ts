import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalOpenApi } from '../../src/testing/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { Kms, KmsModels, RpcConfig } from './tea-sdk.js';

// The legacy family: @alicloud/kms20160120 1.2.0 on @alicloud/rpc-client 1.3.2, which reads the AccessKeyId,
// secret and token in three separate provider calls and appends `Error` to the service's codes.
const SECRET = 'rpc-ram-ak';
let api: LocalOpenApi;
let store: SecretStore;
let source: InMemorySecretSource;
let cache: SecretCacheClient;
let keyNumber = 0;
let currentKey: { accessKeyId: string; accessKeySecret: string };

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  return { accessKeyId: `LTAI-RPC-${keyNumber}`, accessKeySecret: `rpc-secret-${keyNumber}-abcdefghijklmnopqrstuv` };
}

beforeAll(async () => {
  api = await LocalOpenApi.start({ product: 'Kms' });
  api.handle({ action: 'ListSecrets', version: '2016-01-20' }, (call) => ({
    RequestId: `req-${call.accessKeyId}`,
    PageNumber: 1,
    PageSize: 10,
    TotalCount: 1,
    SecretList: { Secret: [{ SecretName: `listed-with-${call.accessKeyId}` }] },
  }));
});
afterAll(() => api.close());

beforeEach(() => {
  currentKey = newKey();
  api.keys.add(currentKey);
  store = new SecretStore();
  store.setRamCredential(SECRET, currentKey);
  source = new InMemorySecretSource(store);
  cache = new SecretCacheClient({ source });
});

afterEach(async () => {
  await cache.close();
  api.requests.clear();
});

describe('an rpc-client client (@alicloud/kms20160120 1.x)', () => {
  it('calls with the managed key and hides a rotate + revoke (InvalidAccessKeyId.NotFoundError) from the caller', async () => {
    const kms = createManagedClient(Kms, new RpcConfig({ endpoint: api.host, protocol: 'http', regionId: 'cn-hangzhou' }), {
      secretName: SECRET,
      cacheClient: cache,
    });
    const first = await kms.listSecrets(new KmsModels.ListSecretsRequest({}));
    expect(first.secretList?.secret?.[0]?.secretName).toBe(`listed-with-${currentKey.accessKeyId}`);
    expect(api.requests.last()?.signature).toBe('rpc-v1');

    const old = currentKey;
    currentKey = newKey();
    api.keys.add(currentKey);
    store.rotate(SECRET, currentKey);
    api.keys.revoke(old.accessKeyId);
    api.requests.clear();

    const second = await kms.listSecrets(new KmsModels.ListSecretsRequest({}));

    expect(second.secretList?.secret?.[0]?.secretName).toBe(`listed-with-${currentKey.accessKeyId}`);
    expect(api.requests.entries().map((r) => [r.accessKeyId, r.errorCode ?? r.status])).toEqual([
      [old.accessKeyId, 'InvalidAccessKeyId.NotFound'],
      [currentKey.accessKeyId, 200],
    ]);
    expect(source.callCount).toBe(2);
    await shutdownManagedClient(kms);
  });
});
