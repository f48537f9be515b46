import { inspect } from 'node:util';
import * as ossModule from '@alicloud/oss20190517';
import * as openApiClientModule from '@alicloud/openapi-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { LocalOpenApi, type OpenApiCall } from '../../src/testing/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

// A real generated client on @alicloud/openapi-client: `execute` through its OSS gateway, which signs with the
// OSS V1 header signature and reads XML answers and `<Error>` documents.
type DefaultExport<M> = M extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;
type OssClass = DefaultExport<typeof ossModule>;
type OssClient = InstanceType<OssClass>;
const Oss = cjsDefaultExport<OssClass>(ossModule);
const { Config } = openApiClientModule as unknown as { Config: new (map: Record<string, unknown>) => ConstructorParameters<OssClass>[0] };

const AK = { accessKeyId: 'LTAI-oss-reader', accessKeySecret: 'oss-reader-secret' };
const STS_KEY = { accessKeyId: 'STS.oss-reader', accessKeySecret: 'oss-sts-secret', securityToken: 'oss-sts-token' };
const SECRETS = [AK.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken];

let api: LocalOpenApi;
let clock: VirtualClock;
const calls: OpenApiCall[] = [];

function client(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }, endpoint = api.host): OssClient {
  return new Oss(new Config({ ...credentials, endpoint, protocol: 'http', readTimeout: 5_000 }));
}

function listBuckets(oss: OssClient) {
  return oss.listBuckets(new ossModule.ListBucketsRequest({}));
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number; message?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  clock = new VirtualClock(Date.now());
  api = await LocalOpenApi.start({ clock, keys: [AK] });
  // ListBuckets is `GET /` without a bucket; the body is the one this SDK version maps (its model's wire names).
  api.handle({ method: 'GET', path: '/' }, (call) => {
    calls.push(call);
    return { ListAllMyBucketsResult: { owner: { ID: '1234', DisplayName: call.accessKeyId }, buckets: [{ Name: 'alpha', Region: 'oss-cn-hangzhou' }, { Name: 'beta' }] } };
  });
});
afterAll(() => api.close());
afterEach(() => {
  calls.length = 0;
  api.clearFaults();
});

describe('LocalOpenApi with @alicloud/oss20190517 (openapi-client, OSS gateway)', () => {
  it('answers ListBuckets as XML the client parses, from a handler that sees an OSS-signed call', async () => {
    const response = await listBuckets(client(AK));
    expect(response.statusCode).toBe(200);
    expect(response.body?.buckets?.map((b) => b.name)).toEqual(['alpha', 'beta']);
    expect(response.body?.owner?.displayName).toBe(AK.accessKeyId);
    expect(calls[0]).toMatchObject({ style: 'ROA', method: 'GET', path: '/', signature: 'oss-v1', accessKeyId: AK.accessKeyId });
    expect(api.requests.last()).toMatchObject({ signature: 'oss-v1', style: 'ROA', status: 200, accessKeyId: AK.accessKeyId });
  });

  it('tells operations on the same path apart by their sub-resource (query conditions)', async () => {
    const own = await LocalOpenApi.start({ keys: [AK] });
    try {
      own.handle({ method: 'GET', path: '/' }, () => ({ ListAllMyBucketsResult: { buckets: [{ Name: 'only' }, { Name: 'two' }] } }));
      own.handle({ method: 'GET', path: '/', query: { regions: true } }, () => ({
        RegionInfoList: { RegionInfo: [{ Region: 'oss-cn-hangzhou', InternetEndpoint: 'oss-cn-hangzhou.aliyuncs.com' }, { Region: 'oss-cn-beijing' }] },
      }));
      const oss = client(AK, own.host);
      const regions = await oss.describeRegions(new ossModule.DescribeRegionsRequest({}));
      expect(regions.body?.regionInfos?.map((r) => r.region)).toEqual(['oss-cn-hangzhou', 'oss-cn-beijing']);
      const buckets = await listBuckets(oss);
      expect(buckets.body?.buckets?.map((b) => b.name)).toEqual(['only', 'two']);
    } finally {
      await own.close();
    }
  });

  it('rejects a revoked key with OSS InvalidAccessKeyId (403), as a Tea error with code and statusCode', async () => {
    api.keys.revoke(AK.accessKeyId);
    try {
      const error = await failure(listBuckets(client(AK)));
      expect(error).toMatchObject({ code: 'InvalidAccessKeyId', statusCode: 403 });
    } finally {
      api.keys.add(AK);
    }
    await expect(listBuckets(client(AK))).resolves.toMatchObject({ statusCode: 200 });
  });

  it('rejects a disabled key until it is enabled', async () => {
    api.keys.disable(AK.accessKeyId);
    const error = await failure(listBuckets(client(AK)));
    api.keys.enable(AK.accessKeyId);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', statusCode: 403 });
    expect(error.message).toContain('disabled');
  });

  it('rejects a wrong secret with SignatureDoesNotMatch (403)', async () => {
    expect(await failure(listBuckets(client({ ...AK, accessKeySecret: 'guessed' })))).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 403 });
    expect(calls).toHaveLength(0);
  });

  it('accepts STS credentials, and answers InvalidSecurityToken and SecurityTokenExpired', async () => {
    api.keys.add({ ...STS_KEY, expiresAtMs: clock.now() + 60_000 });
    try {
      await expect(listBuckets(client(STS_KEY))).resolves.toMatchObject({ statusCode: 200 });
      expect(calls[0]).toMatchObject({ accessKeyId: STS_KEY.accessKeyId, sts: true });
      expect(calls[0]?.headers).not.toHaveProperty('x-oss-security-token');
      expect(await failure(listBuckets(client({ ...STS_KEY, securityToken: 'forged' })))).toMatchObject({ code: 'InvalidSecurityToken', statusCode: 403 });
      await clock.advance(2 * 60_000);
      expect(await failure(listBuckets(client(STS_KEY)))).toMatchObject({ code: 'SecurityTokenExpired', statusCode: 403 });
    } finally {
      api.keys.revoke(STS_KEY.accessKeyId);
    }
  });

  it('rejects a skewed date with RequestTimeTooSkewed', async () => {
    await clock.advance(20 * 60_000);
    try {
      expect(await failure(listBuckets(client(AK)))).toMatchObject({ code: 'RequestTimeTooSkewed', statusCode: 403 });
    } finally {
      clock.setWallClock(Date.now());
    }
  });

  it('answers a request without a handler with InvalidAction.NotFound (404) in XML', async () => {
    const empty = await LocalOpenApi.start({ keys: [AK] });
    try {
      expect(await failure(listBuckets(client(AK, empty.host)))).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
      expect(await failure(listBuckets(client({ ...AK, accessKeySecret: 'guessed' }, empty.host)))).toMatchObject({ code: 'SignatureDoesNotMatch' });
    } finally {
      await empty.close();
    }
  });

  it('injects failures for a path, then answers normally', async () => {
    api.injectFault({ kind: 'error', httpStatus: 503, code: 'ServiceUnavailable', message: 'Please retry.' }, { path: '/', times: 1 });
    api.injectFault({ kind: 'garbage' }, { path: '/' });
    const oss = client(AK);
    expect(await failure(listBuckets(oss))).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    const garbage = await failure(listBuckets(oss));
    expect(garbage).toBeInstanceOf(Error);
    await expect(listBuckets(oss)).resolves.toMatchObject({ statusCode: 200 });
    expect(api.requests.entries().slice(-3).map((r) => [r.fault, r.status])).toEqual([
      ['error', 503],
      ['garbage', 502],
      [undefined, 200],
    ]);
  });

  it('keeps secrets and tokens out of its log, counters and inspect output', async () => {
    api.keys.add({ ...STS_KEY, expiresAtMs: clock.now() + 3_600_000 });
    try {
      await listBuckets(client(AK));
      await listBuckets(client(STS_KEY));
      await failure(listBuckets(client({ ...AK, accessKeySecret: 'guessed' })));
      const text = [JSON.stringify(api.requests.entries()), JSON.stringify(api.requests.counters()), inspect(api, { depth: 10 }), inspect(api.keys, { depth: 10, showHidden: true })].join('\n');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
      expect(api.requests.entries().at(-2)).toMatchObject({ accessKeyId: STS_KEY.accessKeyId, hasSecurityToken: true });
    } finally {
      api.keys.revoke(STS_KEY.accessKeyId);
    }
  });
});
