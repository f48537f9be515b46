import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import * as stsModule from '@alicloud/sts20150401';
import * as openApiCoreModule from '@alicloud/openapi-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { LocalOpenApi, type OpenApiCall } from '../../src/testing/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

// `signatureAlgorithm: 'v2'` makes openapi-core use doRPCRequest (RPC V1, HMAC-SHA1 in the query) for RPC APIs
// and doROARequest / doROARequestWithForm (`Authorization: acs id:signature`) for ROA APIs.
type DefaultExport<M> = M extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;
type StsClass = DefaultExport<typeof stsModule>;
type StsClient = InstanceType<StsClass>;
const Sts = cjsDefaultExport<StsClass>(stsModule);
const core = openApiCoreModule as unknown as typeof import('@alicloud/openapi-core');
const OpenApi = cjsDefaultExport<typeof core.default>(openApiCoreModule);
const { $OpenApiUtil, OpenApiUtil } = core;

const AK = { accessKeyId: 'LTAI-v1', accessKeySecret: 'v1-secret-value' };
const STS_KEY = { accessKeyId: 'STS.v1', accessKeySecret: 'v1-sts-secret', securityToken: 'v1-sts-token' };

let api: LocalOpenApi;
let clock: VirtualClock;
const calls: OpenApiCall[] = [];

function config(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }, signatureAlgorithm?: string) {
  return new $OpenApiUtil.Config({ ...credentials, endpoint: api.host, protocol: 'http', readTimeout: 5_000, ...(signatureAlgorithm ? { signatureAlgorithm } : {}) });
}

function v1Client(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): StsClient {
  return new Sts(config(credentials, 'v2'));
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number };
  }
  throw new Error('expected the call to fail');
}

/** A ROA call through the client's own generic `callApi`, as generated ROA clients make it. */
function roaCall(credentials: { accessKeyId: string; accessKeySecret: string }, signatureAlgorithm: string | undefined, reqBodyType: 'json' | 'formData') {
  const client = new OpenApi(config(credentials, signatureAlgorithm));
  const params = new $OpenApiUtil.Params({
    action: 'ScaleCluster',
    version: '2015-12-15',
    protocol: 'HTTP',
    pathname: '/clusters/c-7/scale',
    method: 'PUT',
    authType: 'AK',
    style: 'ROA',
    reqBodyType,
    bodyType: 'json',
  });
  const request = new $OpenApiUtil.OpenApiRequest({ query: { dryRun: 'false' }, body: { count: 3, name: 'pool a' } });
  return client.callApi(params, request, {} as Parameters<typeof client.callApi>[2]);
}

beforeAll(async () => {
  clock = new VirtualClock(Date.now());
  api = await LocalOpenApi.start({ clock, keys: [AK] });
  api.handle({ action: 'GetCallerIdentity' }, (call) => {
    calls.push(call);
    return { RequestId: 'r', UserId: call.accessKeyId };
  });
  api.handle({ method: 'PUT', path: '/clusters/:id/scale' }, (call) => {
    calls.push(call);
    return { cluster_id: call.pathParams['id'], body: call.body };
  });
});
afterAll(() => api.close());
afterEach(() => {
  calls.length = 0;
});

describe('LocalOpenApi RPC V1 (HMAC-SHA1) with @alicloud/sts20150401', () => {
  it('accepts a V1-signed call; the handler sees the action, not the signature parameters', async () => {
    const response = await v1Client(AK).getCallerIdentity();
    expect(response.body?.userId).toBe(AK.accessKeyId);
    expect(calls[0]).toMatchObject({ style: 'RPC', action: 'GetCallerIdentity', version: '2015-04-01', signature: 'rpc-v1', accessKeyId: AK.accessKeyId });
    expect(Object.keys(calls[0]?.params ?? {})).toEqual([]);
    expect(api.requests.last()).toMatchObject({ signature: 'rpc-v1', style: 'RPC', status: 200 });
  });

  it('answers the gateway codes for a revoked, disabled, unknown or wrongly signed key', async () => {
    expect(await failure(v1Client({ ...AK, accessKeySecret: 'guessed' }).getCallerIdentity())).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    api.keys.disable(AK.accessKeyId);
    expect(await failure(v1Client(AK).getCallerIdentity())).toMatchObject({ code: 'InvalidAccessKeyId.Inactive' });
    api.keys.enable(AK.accessKeyId);
    api.keys.revoke(AK.accessKeyId);
    expect(await failure(v1Client(AK).getCallerIdentity())).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    api.keys.add(AK);
    await expect(v1Client(AK).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
    expect(calls).toHaveLength(1);
  });

  it('checks the STS token sent as SecurityToken, and its expiry', async () => {
    api.keys.add({ ...STS_KEY, expiresAtMs: clock.now() + 60_000 });
    try {
      await expect(v1Client(STS_KEY).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
      expect(calls[0]?.params).not.toHaveProperty('SecurityToken');
      expect(await failure(v1Client({ ...STS_KEY, securityToken: 'forged' }).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
      await clock.advance(2 * 60_000);
      expect(await failure(v1Client(STS_KEY).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.Expired' });
    } finally {
      api.keys.revoke(STS_KEY.accessKeyId);
    }
  });

  it('rejects a Timestamp outside the allowed skew', async () => {
    await clock.advance(20 * 60_000);
    try {
      expect(await failure(v1Client(AK).getCallerIdentity())).toMatchObject({ code: 'InvalidTimeStamp.Expired' });
    } finally {
      clock.setWallClock(Date.now());
    }
  });
});

describe('LocalOpenApi RPC V1, hand-signed with the SDK signer', () => {
  function signed(overrides: Record<string, string> = {}): Record<string, string> {
    const params: Record<string, string> = {
      Action: 'GetCallerIdentity',
      Format: 'json',
      Version: '2015-04-01',
      Timestamp: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      SignatureNonce: randomUUID(),
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      AccessKeyId: AK.accessKeyId,
      RoleName: 'reader',
      ...overrides,
    };
    return { ...params, Signature: OpenApiUtil.getRPCSignature(params, 'GET', AK.accessKeySecret) };
  }

  function get(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: Number(api.host.split(':')[1]), method: 'GET', path: `/?${new URLSearchParams(params)}` }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('answers a replayed request with SignatureNonceUsed', async () => {
    const params = signed();
    expect(await get(params)).toMatchObject({ status: 200 });
    expect(calls[0]?.params).toEqual({ RoleName: 'reader' });
    expect(await get(params)).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
  });

  it.each([
    ['a parameter changed after signing', (p: Record<string, string>) => ({ ...p, RoleName: 'admin' }), 'SignatureDoesNotMatch'],
    ['a tampered signature', (p: Record<string, string>) => ({ ...p, Signature: `${p['Signature']?.startsWith('A') ? 'B' : 'A'}${p['Signature']?.slice(1) ?? ''}` }), 'SignatureDoesNotMatch'],
    ['another SignatureMethod', (p: Record<string, string>) => ({ ...p, SignatureMethod: 'HMAC-SHA256' }), 'IncompleteSignature'],
    ['no SignatureNonce', (p: Record<string, string>) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'SignatureNonce')), 'IncompleteSignature'],
    ['a malformed Timestamp', (p: Record<string, string>) => ({ ...p, Timestamp: '2026-01-01 10:00:00' }), 'InvalidTimeStamp.Format'],
  ] as const)('rejects %s', async (_label, change, code) => {
    expect(await get(change(signed()))).toMatchObject({ status: 400, body: { Code: code } });
    expect(calls).toHaveLength(0);
  });
});

describe('LocalOpenApi ROA with openapi-core callApi', () => {
  it.each([
    ['ROA V1 with a JSON body (doROARequest)', 'v2', 'json', 'roa-v1'],
    ['ROA V1 with a form body (doROARequestWithForm)', 'v2', 'formData', 'roa-v1'],
    ['ACS3 with a JSON body (doRequest)', undefined, 'json', 'acs3'],
  ] as const)('routes %s by method and path', async (_label, algorithm, bodyType, kind) => {
    const response = (await roaCall(AK, algorithm, bodyType)) as { body?: { cluster_id?: string; body?: unknown } };
    expect(response.body?.cluster_id).toBe('c-7');
    const expectedBody = bodyType === 'json' ? { count: 3, name: 'pool a' } : { count: '3', name: 'pool a' };
    expect(response.body?.body).toEqual(expectedBody);
    expect(calls[0]).toMatchObject({ style: 'ROA', method: 'PUT', path: '/clusters/c-7/scale', query: { dryRun: 'false' }, signature: kind, accessKeyId: AK.accessKeyId });
  });

  it('rejects a wrong secret and a revoked key on ROA V1', async () => {
    expect(await failure(roaCall({ ...AK, accessKeySecret: 'guessed' }, 'v2', 'json'))).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    api.keys.revoke(AK.accessKeyId);
    try {
      expect(await failure(roaCall(AK, 'v2', 'json'))).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    } finally {
      api.keys.add(AK);
    }
    expect(calls).toHaveLength(0);
  });
});
