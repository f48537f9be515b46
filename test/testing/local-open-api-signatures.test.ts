import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import * as openApiCoreModule from '@alicloud/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOpenApi, type OpenApiCall } from '../../src/testing/index.js';

// The SDK's own signer (not the emulator's code) signs the hand-made requests below.
const { OpenApiUtil } = openApiCoreModule as unknown as typeof import('@alicloud/openapi-core');

const AK = { accessKeyId: 'LTAI-hand', accessKeySecret: 'hand-secret-value' };

interface RawRequest {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
  credentials?: { accessKeyId: string; accessKeySecret: string };
  /** Changes applied after signing. */
  tamper?: { query?: Record<string, string>; headers?: Record<string, string>; body?: string };
  unsigned?: boolean;
}

interface RawResponse {
  status: number;
  body: Record<string, unknown>;
}

let api: LocalOpenApi;
const calls: OpenApiCall[] = [];

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Builds and ACS3-signs a request the way openapi-core's doRequest does; returns what to send. */
function signAcs3(raw: RawRequest): { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string } {
  const method = raw.method ?? 'POST';
  const path = raw.path ?? '/';
  const body = raw.body ?? '';
  const query = { ...raw.query };
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host: api.host,
    'x-acs-version': '2015-04-01',
    'x-acs-action': 'GetCallerIdentity',
    'x-acs-date': isoSeconds(Date.now()),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': payloadHash,
    accept: 'application/json',
    ...(raw.contentType ? { 'content-type': raw.contentType } : {}),
    ...raw.headers,
  };
  if (!raw.unsigned) {
    const credentials = raw.credentials ?? AK;
    const shape = { method, pathname: path, query, headers } as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0];
    headers['Authorization'] = OpenApiUtil.getAuthorization(shape, 'ACS3-HMAC-SHA256', payloadHash, credentials.accessKeyId, credentials.accessKeySecret);
  }
  return { method, path, query: { ...query, ...raw.tamper?.query }, headers: { ...headers, ...raw.tamper?.headers }, body: raw.tamper?.body ?? body };
}

/** Sends a prepared request; resolves status and JSON body. */
function send(prepared: { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string }): Promise<RawResponse> {
  const search = new URLSearchParams(prepared.query).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(api.host.split(':')[1]), method: prepared.method, path: search ? `${prepared.path}?${search}` : prepared.path, headers: prepared.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(prepared.body);
  });
}

beforeAll(async () => {
  api = await LocalOpenApi.start({ keys: [AK], product: 'Test' });
  api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call) => {
    calls.push(call);
    return { RequestId: 'r', UserId: call.accessKeyId };
  });
  api.handle({ method: 'POST', path: '/clusters/:clusterId/nodes' }, (call) => {
    calls.push(call);
    return { cluster_id: call.pathParams['clusterId'], received: call.body };
  });
  api.handle({ action: 'DescribeRegions', anonymous: true }, () => ({ Regions: ['cn-hangzhou'] }));
});
afterAll(() => api.close());

describe('LocalOpenApi ACS3 verification (requests signed by the SDK signer)', () => {
  it('accepts a signed request, and answers a replay of the same request with SignatureNonceUsed', async () => {
    const prepared = signAcs3({ query: { Extra: 'a b' } });
    const first = await send(prepared);
    expect(first).toMatchObject({ status: 200, body: { UserId: AK.accessKeyId } });
    expect(calls.at(-1)?.params).toEqual({ Extra: 'a b' });
    const replay = await send(prepared);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ Code: 'SignatureNonceUsed', HostId: api.host });
    expect(replay.body['RequestId']).toEqual(expect.any(String));
    expect(replay.body['Recommend']).toContain('product=Test');
  });

  it.each([
    ['a query parameter changed after signing', { query: { Extra: '1' }, tamper: { query: { Extra: '2' } } }, 400, 'SignatureDoesNotMatch'],
    ['a signed header changed after signing', { tamper: { headers: { 'x-acs-date': isoSeconds(Date.now() - 1000) } } }, 400, 'SignatureDoesNotMatch'],
    ['a body that does not match x-acs-content-sha256', { tamper: { body: 'x=1' } }, 400, 'IncompleteSignature'],
    ['an unsigned x-acs- header', { tamper: { headers: { 'x-acs-extra': '1' } } }, 400, 'IncompleteSignature'],
    ['a date an hour off', { headers: { 'x-acs-date': isoSeconds(Date.now() - 3_600_000) } }, 400, 'InvalidTimeStamp.Expired'],
    ['a malformed date', { headers: { 'x-acs-date': 'yesterday' } }, 400, 'InvalidTimeStamp.Format'],
    ['another API version of a versioned action', { headers: { 'x-acs-version': '2099-01-01' } }, 400, 'InvalidVersion'],
    ['no signature on a signed-only action', { unsigned: true }, 400, 'MissingSignature'],
  ] as const)('rejects %s', async (_label, raw, status, code) => {
    const before = calls.length;
    const response = await send(signAcs3(raw as RawRequest));
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ Code: code });
    expect(calls.length).toBe(before);
  });

  it('does not let a request with a bad signature burn the nonce', async () => {
    const good = signAcs3({});
    const forged = { ...good, headers: { ...good.headers, Authorization: good.headers['Authorization']?.replace(/Signature=[0-9a-f]+/, `Signature=${'0'.repeat(64)}`) ?? '' } };
    expect((await send(forged)).body).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    expect((await send(good)).status).toBe(200);
  });

  it('routes an ACS3 ROA request by method and path pattern, with the JSON body parsed', async () => {
    const response = await send(
      signAcs3({
        method: 'POST',
        path: '/clusters/c-42/nodes',
        headers: { 'x-acs-action': 'AttachNodes', 'x-acs-version': '2015-12-15' },
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ count: 2 }),
      }),
    );
    expect(response).toMatchObject({ status: 200, body: { cluster_id: 'c-42', received: { count: 2 } } });
    expect(calls.at(-1)).toMatchObject({ style: 'ROA', method: 'POST', path: '/clusters/c-42/nodes', action: 'AttachNodes', accessKeyId: AK.accessKeyId });
    const missing = await send(signAcs3({ method: 'GET', path: '/clusters/c-42', headers: { 'x-acs-action': 'DescribeCluster' } }));
    expect(missing).toMatchObject({ status: 404, body: { Code: 'InvalidAction.NotFound' } });
  });

  it('serves an anonymous route without a signature, but still verifies a signed request to it', async () => {
    const anonymous = await send(signAcs3({ unsigned: true, headers: { 'x-acs-action': 'DescribeRegions' } }));
    expect(anonymous).toMatchObject({ status: 200, body: { Regions: ['cn-hangzhou'] } });
    const wrong = await send(signAcs3({ headers: { 'x-acs-action': 'DescribeRegions' }, credentials: { ...AK, accessKeySecret: 'guess' } }));
    expect(wrong.body).toMatchObject({ Code: 'SignatureDoesNotMatch' });
  });

  it('rejects misuse of its own API with typed errors', () => {
    expect(() => api.handle({ action: '' }, () => ({}))).toThrow(expect.objectContaining({ name: 'LocalOpenApiError', code: 'LocalOpenApi.InvalidArgument' }));
    expect(() => api.handle({ method: 'GET', path: 'no-slash' }, () => ({}))).toThrow(expect.objectContaining({ code: 'LocalOpenApi.InvalidArgument' }));
    expect(() => api.keys.add(AK)).toThrow(expect.objectContaining({ code: 'LocalOpenApi.DuplicateKey' }));
    expect(() => api.keys.disable('LTAI-none')).toThrow(expect.objectContaining({ code: 'LocalOpenApi.UnknownKey' }));
    expect(() => api.injectFault({ kind: 'reset' }, { times: 0 })).toThrow(expect.objectContaining({ code: 'LocalOpenApi.InvalidArgument' }));
  });
});
