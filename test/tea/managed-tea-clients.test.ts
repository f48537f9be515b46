import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { MANAGED_CALL_CHANNELS, type ManagedCallRetryEvent } from '../../src/call/managed-call-events.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalOpenApi, OpenApiServiceError, type OpenApiCall } from '../../src/testing/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { CoreConfig, OpenApiClientModels, Oss, OssModels, Sts, StsModels } from './tea-sdk.js';

// Real published clients against LocalOpenApi (signatures verified, keys revoked at run time) with the real
// cache over an in-memory KMS: @alicloud/sts20150401 (openapi-core: ACS3 through doRequest, RPC V1 through
// doRPCRequest) and @alicloud/oss20190517 (openapi-client: OSS signatures through execute).
const SECRET = 'tea-ram-ak';
const BUCKET = 'tea-bucket';
let api: LocalOpenApi;
let store: SecretStore;
let source: InMemorySecretSource;
let cache: SecretCacheClient;
let keyNumber = 0;
let currentKey: { accessKeyId: string; accessKeySecret: string };
const stored = new Map<string, string>();
let lastIdentityCall: OpenApiCall | undefined;
const clients: object[] = [];
const retryEvents: ManagedCallRetryEvent[] = [];
const onRetry = (event: unknown) => retryEvents.push(event as ManagedCallRetryEvent);

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  return { accessKeyId: `LTAI-TEA-${keyNumber}`, accessKeySecret: `tea-secret-${keyNumber}-abcdefghijklmnopqrstuv` };
}

/** KMS rotates the secret and the old key is deleted at once (an emergency rotation). */
function rotateAndRevoke(): { accessKeyId: string; accessKeySecret: string } {
  const old = currentKey;
  currentKey = newKey();
  api.keys.add(currentKey);
  store.rotate(SECRET, currentKey);
  api.keys.revoke(old.accessKeyId);
  return old;
}

function track<T extends object>(client: T): T {
  clients.push(client);
  return client;
}

function sts(extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  const config = new CoreConfig({ endpoint: api.host, protocol: 'http', readTimeout: 5_000, ...extra });
  return track(createManagedClient(Sts, config, { secretName: SECRET, cacheClient: cache, ...options }));
}

function oss() {
  const config = new OpenApiClientModels.Config({ endpoint: api.host, endpointType: 'ip', protocol: 'http', regionId: 'cn-hangzhou', readTimeout: 5_000 });
  return track(createManagedClient(Oss, config, { secretName: SECRET, cacheClient: cache }));
}

/** [AccessKeyId, status or error code] of each request the gateway received since the last reset. */
function requestsSeen(): [string | undefined, number | string][] {
  return api.requests.entries().map((r) => [r.accessKeyId, r.errorCode ?? r.status]);
}

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  api = await LocalOpenApi.start({ product: 'Sts' });
  api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call: OpenApiCall) => {
    lastIdentityCall = call;
    return {
      RequestId: `req-${call.accessKeyId}`,
      AccountId: '1234567890',
      UserId: `user-of-${call.accessKeyId}`,
      Arn: 'acs:ram::1234567890:user/app',
      IdentityType: 'RAMUser',
    };
  });
  api.handle({ action: 'AssumeRole', version: '2015-04-01' }, () => {
    throw new OpenApiServiceError({ status: 403, code: 'NoPermission', message: 'You are not authorized to do this action.' });
  });
  api.handle({ method: 'PUT', path: '/:bucket/:key' }, (call) => {
    stored.set(`${call.pathParams['bucket']}/${call.pathParams['key']}`, String(call.body));
    return undefined;
  });
});

afterAll(() => api.close());

beforeEach(() => subscribe(MANAGED_CALL_CHANNELS.retry, onRetry));
afterEach(() => {
  unsubscribe(MANAGED_CALL_CHANNELS.retry, onRetry);
  retryEvents.length = 0;
});

beforeEach(() => {
  currentKey = newKey();
  api.keys.add(currentKey);
  store = new SecretStore();
  store.setRamCredential(SECRET, currentKey);
  source = new InMemorySecretSource(store);
  cache = new SecretCacheClient({ source });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => shutdownManagedClient(client)));
  await cache.close();
  api.requests.clear();
  api.clearFaults();
  stored.clear();
});

describe('an openapi-core client (@alicloud/sts20150401)', () => {
  it('makes a call signed with the key from KMS, naming the managed provider', async () => {
    const client = sts();
    const response = await client.getCallerIdentity();
    expect(response.body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
    expect(requestsSeen()).toEqual([[currentKey.accessKeyId, 200]]);
    expect(api.requests.last()).toMatchObject({ signature: 'acs3', action: 'GetCallerIdentity' });
    expect(lastIdentityCall?.headers['x-acs-credentials-provider']).toBe('managed_credentials');
    expect(source.callCount).toBe(1);
  });

  it('hides a rotate + revoke from the caller: one KMS call, the failed request retried once with the new key', async () => {
    const client = sts();
    await client.getCallerIdentity();
    const old = rotateAndRevoke();
    api.requests.clear();

    const response = await client.getCallerIdentity();

    expect(response.body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
    expect(requestsSeen()).toEqual([
      [old.accessKeyId, 'InvalidAccessKeyId.NotFound'],
      [currentKey.accessKeyId, 200],
    ]);
    expect(source.callCount).toBe(2);
    expect(retryEvents).toEqual([{ secretName: SECRET, client: 'tea', outcome: 'retried' }]);
  });

  it('recovers the same way on the RPC V1 signature path (doRPCRequest) and from a disabled key', async () => {
    const client = sts({ signatureAlgorithm: 'v2' });
    await client.getCallerIdentity();
    const old = currentKey;
    currentKey = newKey();
    api.keys.add(currentKey);
    store.rotate(SECRET, currentKey);
    api.keys.disable(old.accessKeyId);
    api.requests.clear();

    const response = await client.getCallerIdentity();

    expect(response.body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
    expect(requestsSeen()).toEqual([
      [old.accessKeyId, 'InvalidAccessKeyId.Inactive'],
      [currentKey.accessKeyId, 200],
    ]);
    expect(api.requests.last()?.signature).toBe('rpc-v1');
  });

  it('50 concurrent calls across a revoke: 0 errors and 1 KMS call', async () => {
    const client = sts();
    await client.getCallerIdentity();
    const kmsCallsBefore = source.callCount;
    rotateAndRevoke();
    api.requests.clear();

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.getCallerIdentity()));

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(source.callCount - kmsCallsBefore).toBe(1);
    const seen = requestsSeen();
    expect(seen.filter(([id, status]) => id === currentKey.accessKeyId && status === 200)).toHaveLength(50);
    expect(seen.every(([id, status]) => (id === currentKey.accessKeyId ? status === 200 : status === 'InvalidAccessKeyId.NotFound'))).toBe(true);
  });

  it('does not retry or refresh on an error that is not about the key', async () => {
    const client = sts();
    await client.getCallerIdentity();
    api.requests.clear();

    const error = await failure(client.assumeRole(new StsModels.AssumeRoleRequest({ roleArn: 'acs:ram::1:role/r', roleSessionName: 's' })));

    expect(error.code).toBe('NoPermission');
    expect(requestsSeen()).toEqual([[currentKey.accessKeyId, 'NoPermission']]);
    expect(source.callCount).toBe(1);
  });

  it('uses a custom akExpireHandler: it receives the SDK error and decides', async () => {
    const judged: unknown[] = [];
    const handler = {
      judgeAKExpire: (error: unknown) => {
        judged.push(error);
        return (error as { code?: unknown }).code === 'Forbidden.KeyRotated';
      },
    };
    const client = sts({}, { akExpireHandler: handler });
    await client.getCallerIdentity();
    const old = currentKey;
    currentKey = newKey();
    api.keys.add(currentKey);
    store.rotate(SECRET, currentKey);
    api.injectFault({ kind: 'error', httpStatus: 403, code: 'Forbidden.KeyRotated' });
    api.requests.clear();

    const response = await client.getCallerIdentity();

    expect(response.body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
    expect(judged).toHaveLength(1);
    expect(judged[0]).toMatchObject({ code: 'Forbidden.KeyRotated', statusCode: 403 });
    // (The injected answer comes before the gateway reads the key: that record names none.)
    expect(requestsSeen()).toEqual([
      [undefined, 'Forbidden.KeyRotated'],
      [currentKey.accessKeyId, 200],
    ]);
    expect(currentKey.accessKeyId).not.toBe(old.accessKeyId);
    expect(source.callCount).toBe(2);

    // The same error code is not a rejected key for the default handler: no retry, no KMS call.
    const plain = sts();
    api.injectFault({ kind: 'error', httpStatus: 403, code: 'Forbidden.KeyRotated' });
    expect((await failure(plain.getCallerIdentity())).code).toBe('Forbidden.KeyRotated');
    expect(source.callCount).toBe(2);
  });

  it('keeps secrets out of its errors and of util.inspect of the client', async () => {
    const client = sts();
    await client.getCallerIdentity();
    const error = await failure(client.assumeRole(new StsModels.AssumeRoleRequest({ roleArn: 'acs:ram::1:role/r', roleSessionName: 's' })));
    const rendered = [
      inspect(error, { depth: Infinity, showHidden: true }),
      JSON.stringify(error),
      String(error.stack),
      inspect(client, { depth: 12, showHidden: true }),
    ];
    for (const text of rendered) expect(text).not.toContain(currentKey.accessKeySecret);
    expect(inspect(client, { depth: 12 })).toContain('ManagedCredentialsProvider');
  });
});

describe('an openapi-client client (@alicloud/oss20190517, through its OSS gateway)', () => {
  it('signs each attempt with one key although the cache rotates on every read (the OSS gateway reads id, secret and token separately)', async () => {
    // A cache double that hands out a different (valid) key on every read: without the per-attempt pin, the
    // gateway's three reads would sign with one key's id and another key's secret.
    const keys = Array.from({ length: 8 }, () => newKey());
    for (const key of keys) api.keys.add(key);
    let reads = 0;
    const spinning = new SecretCacheClient({ source });
    const storm = {
      getCredential: (name: string) => spinning.getCredential(name),
      refreshNow: (name: string, options?: object) => spinning.refreshNow(name, options),
      peekCredential: () => new AccessKeyCredential({ ...keys[reads++ % keys.length]! }),
    };
    const config = new OpenApiClientModels.Config({ endpoint: api.host, endpointType: 'ip', protocol: 'http', regionId: 'cn-hangzhou' });
    const client = track(createManagedClient(Oss, config, { secretName: SECRET, cacheClient: storm }));
    for (let i = 0; i < 3; i++) {
      await client.putObject(BUCKET, `storm-${i}.txt`, new OssModels.PutObjectRequest({ body: Readable.from([Buffer.from(`storm ${i}`)]) }));
    }
    expect(requestsSeen().map(([, status]) => status)).toEqual([204, 204, 204]);
    expect(reads).toBe(3); // one read per call; the gateway's own reads got the pinned key
    await spinning.close();
  });

  it('stores an object and hides a rotate + revoke from the caller', async () => {
    const client = oss();
    await client.putObject(BUCKET, 'first.txt', new OssModels.PutObjectRequest({ body: Readable.from([Buffer.from('first')]) }));
    expect(stored.get(`${BUCKET}/first.txt`)).toBe('first');
    const old = rotateAndRevoke();
    api.requests.clear();

    // A request without a body is replayable: retried with the new key.
    await client.putObject(BUCKET, 'empty.txt', new OssModels.PutObjectRequest({}));

    expect(requestsSeen()).toEqual([
      [old.accessKeyId, 'InvalidAccessKeyId'],
      [currentKey.accessKeyId, 204],
    ]);
    expect(api.requests.last()?.signature).toBe('oss-v1');
  });

  it('never re-sends a stream body: the error says retryWithFreshBody, and a call with a fresh stream works', async () => {
    const client = oss();
    await client.putObject(BUCKET, 'warm.txt', new OssModels.PutObjectRequest({ body: Readable.from([Buffer.from('warm')]) }));
    const old = rotateAndRevoke();
    api.requests.clear();

    const error = await failure(
      client.putObject(BUCKET, 'streamed.txt', new OssModels.PutObjectRequest({ body: Readable.from([Buffer.from('streamed body')]) })),
    );

    expect(error.retryWithFreshBody).toBe(true);
    expect(retryEvents).toEqual([{ secretName: SECRET, client: 'tea', outcome: 'not-replayable' }]);
    expect(error.code).toBe('InvalidAccessKeyId');
    expect(requestsSeen()).toEqual([[old.accessKeyId, 'InvalidAccessKeyId']]);
    expect(stored.has(`${BUCKET}/streamed.txt`)).toBe(false);

    await client.putObject(BUCKET, 'streamed.txt', new OssModels.PutObjectRequest({ body: Readable.from([Buffer.from('streamed body')]) }));
    expect(stored.get(`${BUCKET}/streamed.txt`)).toBe('streamed body');
    expect(api.requests.last()?.accessKeyId).toBe(currentKey.accessKeyId);
    expect(source.callCount).toBe(2);
  });
});
