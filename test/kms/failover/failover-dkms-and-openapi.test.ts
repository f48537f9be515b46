import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFromPem, DkmsSecretSource } from '../../../src/kms/dkms/index.js';
import { FailoverSecretSource } from '../../../src/kms/failover/index.js';
import { OpenApiSecretSource } from '../../../src/kms/openapi/index.js';
import { LocalDkms } from '../../../src/testing/dkms/index.js';
import { LocalKms } from '../../../src/testing/kms/index.js';
import { createTestClientKey, createTestPki } from '../../../src/testing/pki/index.js';
import { SecretStore } from '../../../src/testing/secret-store.js';

// The configured order of the official providers: DKMS instances first, then the OpenAPI regions.
const AK = { accessKeyId: 'LTAI-mixed', accessKeySecret: 'mixed-secret' };
const store = new SecretStore();
const clientKey = createTestClientKey();
const pki = createTestPki();
let dkmsA: LocalDkms;
let dkmsB: LocalDkms;
let kms: LocalKms;
let failover: FailoverSecretSource | undefined;

function group(): FailoverSecretSource {
  const dkms = (instance: LocalDkms, regionId: string) =>
    new DkmsSecretSource({
      endpoint: instance.endpoint,
      regionId,
      clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem),
      ca: pki.caBundlePem,
    });
  failover = new FailoverSecretSource({
    sources: [
      dkms(dkmsA, 'cn-hangzhou'),
      dkms(dkmsB, 'cn-shanghai'),
      new OpenApiSecretSource({ regionId: 'cn-beijing', endpoint: kms.endpoint, credentials: { type: 'ak', ...AK } }),
    ],
    hedgeAfterMs: 150,
    backoff: { baseMs: 20, capMs: 100 },
    deadlineMs: 10_000,
  });
  return failover;
}

beforeAll(async () => {
  store.setRamCredential('oss-ram-ak', { accessKeyId: 'LTAI-oss', accessKeySecret: 'oss-secret', rotationIntervalMs: 86_400_000 });
  [dkmsA, dkmsB, kms] = await Promise.all([
    LocalDkms.start({ store, pki, clientKey }),
    LocalDkms.start({ store, pki, clientKey }),
    LocalKms.start({ store }),
  ]);
  kms.addPrincipal(AK);
});

afterEach(async () => {
  await failover?.close();
  for (const instance of [dkmsA, dkmsB]) instance.clearFaults();
  kms.clearFaults();
});

afterAll(async () => {
  await Promise.all([dkmsA.close(), dkmsB.close(), kms.close()]);
});

describe('FailoverSecretSource over two LocalDkms instances and one LocalKms region', () => {
  it('serves the same SecretInfo from DKMS and from the OpenAPI', async () => {
    const fromDkms = await group().getSecretValue({ secretName: 'oss-ram-ak' });
    dkmsA.injectFault({ kind: 'serviceUnavailable' }, { times: Infinity });
    dkmsB.injectFault({ kind: 'refuseConnections' }, { times: Infinity });
    const fromOpenApi = await group().getSecretValue({ secretName: 'oss-ram-ak' });
    const { requestId: _a, ...dkmsFields } = fromDkms.toJSON();
    const { requestId: _b, ...openApiFields } = fromOpenApi.toJSON();
    expect(openApiFields).toEqual(dkmsFields);
    expect(fromOpenApi.secretData).toBe(fromDkms.secretData);
    expect(failover?.healthySourceIndex).toBe(2);
  });

  it('fails over from a throttled instance to the second instance (the slow region loses the race)', async () => {
    dkmsA.injectFault({ kind: 'throttling' }, { times: Infinity });
    kms.injectFault({ kind: 'latency', delayMs: 5_000 }, Infinity);
    const before = dkmsB.getSecretValueCount('oss-ram-ak');
    const info = await group().getSecretValue({ secretName: 'oss-ram-ak' });
    expect(info.secretName).toBe('oss-ram-ak');
    expect(failover?.healthySourceIndex).toBe(1);
    expect(dkmsB.getSecretValueCount('oss-ram-ak')).toBeGreaterThan(before);
  });

  it('does not fail over when the instance says the secret is missing', async () => {
    const before = dkmsB.getSecretValueCount('nope') + kms.requests.filter((r) => r.secretName === 'nope').length;
    await expect(group().getSecretValue({ secretName: 'nope' })).rejects.toMatchObject({ retryable: false });
    expect(dkmsB.getSecretValueCount('nope') + kms.requests.filter((r) => r.secretName === 'nope').length).toBe(before);
  });
});
