import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalOpenApi } from '../../src/testing/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import * as openApiClientModule from '@alicloud/openapi-client';
import * as teaUtilModule from '@alicloud/tea-util';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { CoreConfig, Kms, KmsModels, OpenApiClientModels, RpcConfig, Sts } from '../tea/tea-sdk.js';

const OpenApiClient = cjsDefaultExport<typeof openApiClientModule.default>(openApiClientModule);
const { RuntimeOptions } = 'RuntimeOptions' in teaUtilModule ? teaUtilModule : (teaUtilModule as unknown as { default: typeof teaUtilModule }).default;
const SECRET = 'sts-shaped';
// Real-shaped STS token and secret: base64 with `+`, `/` and `=`, so percent-encoding changes them.
const SECURITY_TOKEN = 'CAIS+gF1q6Ft5B2yfSjIr5bkKN3Yn+Vv0ZqJbVPQ1lI3e/9WmLjkszz2IHhMfXZrBOsZs/8/nW5Y7P4flrtvQoFFQBAL5AOBZdjGz+aGhQ==';
const ACCESS_KEY_SECRET = 'Xb/7+kQ2s9LmN0pR4tUv6wYz8aB3cD5eF7gH9iJ=';

let api: LocalOpenApi;
let cache: SecretCacheClient;
const clients: object[] = [];

beforeAll(async () => {
  api = await LocalOpenApi.start({ product: 'Kms' });
  const store = new SecretStore();
  store.setSecret(SECRET, {
    secretType: 'RAMCredentials',
    secretData: JSON.stringify({ AccessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Bcx', AccessKeySecret: ACCESS_KEY_SECRET, SecurityToken: SECURITY_TOKEN }),
  });
  cache = new SecretCacheClient({ source: new InMemorySecretSource(store) });
});
afterEach(async () => {
  api.clearFaults();
  for (const client of clients.splice(0)) await shutdownManagedClient(client);
});
afterAll(async () => {
  await cache.close();
  await api.close();
});

/** Every form a secret can take in a message: literal, percent-encoded (either case, `+` for space), base64(url). */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const percent = encodeURIComponent(secret);
  return [
    secret,
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    bytes.toString('base64'),
    bytes.toString('base64url'),
  ];
}

function expectNoSecret(error: unknown): void {
  const texts = [String((error as Error).message), String((error as Error).stack), inspect(error, { depth: Infinity, showHidden: true })];
  for (const text of texts) {
    for (const secret of [SECURITY_TOKEN, ACCESS_KEY_SECRET]) {
      for (const form of encodings(secret)) expect(text).not.toContain(form);
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    // The message still says what failed, and where the token was.
    expect((error as Error).message).toMatch(/socket hang up|ECONNRESET|ECONNREFUSED|ReadTimeout/);
    expect((error as Error).message).toContain('SecurityToken=[redacted]');
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function rpcKms(endpoint: string) {
  const client = createManagedClient(Kms, new RpcConfig({ endpoint, protocol: 'http', regionId: 'cn-hangzhou', readTimeout: 300, connectTimeout: 300 }), {
    secretName: SECRET,
    cacheClient: cache,
  });
  clients.push(client);
  return () => client.listSecrets(new KmsModels.ListSecretsRequest({}));
}

function openApiV2(endpoint: string) {
  const config = new OpenApiClientModels.Config({ endpoint, protocol: 'http', regionId: 'cn-hangzhou', signatureAlgorithm: 'v2', readTimeout: 300, connectTimeout: 300 });
  const client = createManagedClient(OpenApiClient, config, { secretName: SECRET, cacheClient: cache });
  clients.push(client);
  const params = new OpenApiClientModels.Params({
    action: 'ListSecrets', version: '2016-01-20', protocol: 'HTTP', pathname: '/', method: 'POST',
    authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  return () => client.callApi(params, new OpenApiClientModels.OpenApiRequest({ query: {} }), new RuntimeOptions({ readTimeout: 300, connectTimeout: 300, autoretry: false }));
}

function openApiCoreV2(endpoint: string) {
  const config = new CoreConfig({ endpoint, protocol: 'http', signatureAlgorithm: 'v2', readTimeout: 300, connectTimeout: 300 });
  const client = createManagedClient(Sts, config, { secretName: SECRET, cacheClient: cache });
  clients.push(client);
  return () => client.getCallerIdentity();
}

const clientsUnderTest = {
  'kms20160120 on rpc-client (RPC V1)': rpcKms,
  'openapi-client, signatureAlgorithm v2': openApiV2,
  'sts20150401 on openapi-core, signatureAlgorithm v2': openApiCoreV2,
};

describe.each(Object.entries(clientsUnderTest))('a network failure of %s', (_name, make) => {
  it('a reset connection: no form of the token or secret in message, stack or inspect', async () => {
    api.injectFault({ kind: 'reset' }, { times: Infinity });
    const error = await failure(make(api.host)());
    expectNoSecret(error);
  });

  it('a refused port', async () => {
    const error = await failure(make(`127.0.0.1:${await closedPort()}`)());
    expectNoSecret(error);
  });

  it('a read timeout', async () => {
    api.injectFault({ kind: 'latency', delayMs: Infinity }, { times: Infinity });
    const error = await failure(make(api.host)());
    expectNoSecret(error);
  });
});
