import { inspect } from 'node:util';
import * as stsModule from '@alicloud/sts20150401';
import * as openApiCoreModule from '@alicloud/openapi-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { LocalOpenApi, OpenApiServiceError, type OpenApiCall } from '../../src/testing/index.js';
import { VirtualClock } from '../support/virtual-clock.js';

// A real generated client on @alicloud/openapi-core; its default is ACS3-HMAC-SHA256 through doRequest.
type DefaultExport<M> = M extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;
type StsClass = DefaultExport<typeof stsModule>;
type StsClient = InstanceType<StsClass>;
const Sts = cjsDefaultExport<StsClass>(stsModule);
const { $OpenApiUtil } = openApiCoreModule as unknown as typeof import('@alicloud/openapi-core');

const AK = { accessKeyId: 'LTAI-caller', accessKeySecret: 'caller-secret-value' };
const STS_KEY = { accessKeyId: 'STS.caller', accessKeySecret: 'sts-secret-value', securityToken: 'sts-token-value' };
const SECRETS = [AK.accessKeySecret, STS_KEY.accessKeySecret, STS_KEY.securityToken];

let api: LocalOpenApi;
let clock: VirtualClock;
const calls: OpenApiCall[] = [];

function client(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }, extra: Record<string, unknown> = {}): StsClient {
  return new Sts(new $OpenApiUtil.Config({ ...credentials, endpoint: api.host, protocol: 'http', readTimeout: 5_000, ...extra }));
}

/** The error a call rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<{ code?: string; statusCode?: number; name?: string; message?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; statusCode?: number };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  clock = new VirtualClock(Date.now());
  api = await LocalOpenApi.start({ clock, product: 'Sts', keys: [AK] });
  api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call) => {
    calls.push(call);
    return { RequestId: 'req-1', AccountId: '1234567890', UserId: `user-of-${call.accessKeyId}`, Arn: 'acs:ram::1234567890:user/app', IdentityType: 'RAMUser' };
  });
});
afterAll(() => api.close());
afterEach(() => {
  calls.length = 0;
  api.clearFaults();
});

describe('LocalOpenApi with @alicloud/sts20150401 (openapi-core, ACS3)', () => {
  it('answers GetCallerIdentity from the handler, which sees a secret-free call', async () => {
    const response = await client(AK).getCallerIdentity();
    expect(response.statusCode).toBe(200);
    expect(response.body?.userId).toBe(`user-of-${AK.accessKeyId}`);
    expect(response.body?.accountId).toBe('1234567890');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ style: 'RPC', action: 'GetCallerIdentity', version: '2015-04-01', method: 'POST', path: '/', accessKeyId: AK.accessKeyId, sts: false, signature: 'acs3' });
    expect(calls[0]?.headers).not.toHaveProperty('authorization');
    expect(api.requests.last()).toMatchObject({ action: 'GetCallerIdentity', style: 'RPC', signature: 'acs3', accessKeyId: AK.accessKeyId, status: 200 });
    expect(calls[0]?.requestId).toBe(api.requests.last()?.requestId);
  });

  it('rejects a revoked key with InvalidAccessKeyId.NotFound (404), and accepts it again once re-added', async () => {
    api.keys.revoke(AK.accessKeyId);
    try {
      const error = await failure(client(AK).getCallerIdentity());
      expect(error).toMatchObject({ name: 'ClientError', code: 'InvalidAccessKeyId.NotFound', statusCode: 404 });
    } finally {
      api.keys.add(AK);
    }
    await expect(client(AK).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
  });

  it('rejects a disabled key with InvalidAccessKeyId.Inactive until it is enabled', async () => {
    api.keys.disable(AK.accessKeyId);
    const error = await failure(client(AK).getCallerIdentity());
    api.keys.enable(AK.accessKeyId);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId.Inactive', statusCode: 400 });
    await expect(client(AK).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
  });

  it('rejects a wrong secret with SignatureDoesNotMatch, and an unknown id with InvalidAccessKeyId.NotFound', async () => {
    expect(await failure(client({ ...AK, accessKeySecret: 'guessed' }).getCallerIdentity())).toMatchObject({ code: 'SignatureDoesNotMatch', statusCode: 400 });
    expect(await failure(client({ accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' }).getCallerIdentity())).toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
    expect(calls).toHaveLength(0);
  });

  it('accepts STS credentials until they expire, and checks the token', async () => {
    api.keys.add({ ...STS_KEY, expiresAtMs: clock.now() + 60_000 });
    try {
      await expect(client(STS_KEY).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
      expect(calls[0]).toMatchObject({ accessKeyId: STS_KEY.accessKeyId, sts: true });
      expect(calls[0]?.headers).not.toHaveProperty('x-acs-security-token');
      expect(await failure(client({ ...STS_KEY, securityToken: 'forged-token' }).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
      const { securityToken: _omitted, ...withoutToken } = STS_KEY;
      expect(await failure(client(withoutToken).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.Missing' });
      await clock.advance(2 * 60_000);
      expect(await failure(client(STS_KEY).getCallerIdentity())).toMatchObject({ code: 'InvalidSecurityToken.Expired', statusCode: 400 });
    } finally {
      api.keys.revoke(STS_KEY.accessKeyId);
    }
  });

  it('rejects a request whose date is off by more than the allowed skew', async () => {
    await clock.advance(20 * 60_000);
    try {
      expect(await failure(client(AK).getCallerIdentity())).toMatchObject({ code: 'InvalidTimeStamp.Expired', statusCode: 400 });
    } finally {
      clock.setWallClock(Date.now());
    }
    await expect(client(AK).getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
  });

  it('answers an action without a handler with InvalidAction.NotFound (404), after authentication', async () => {
    const sts = client(AK);
    const request = new stsModule.AssumeRoleRequest({ roleArn: 'acs:ram::1:role/r', roleSessionName: 's' });
    expect(await failure(sts.assumeRole(request))).toMatchObject({ code: 'InvalidAction.NotFound', statusCode: 404 });
    expect(await failure(client({ ...AK, accessKeySecret: 'guessed' }).assumeRole(request))).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('lets a handler answer a typed error, thrown or returned', async () => {
    const fresh = await LocalOpenApi.start({ keys: [AK] });
    try {
      fresh.handle({ action: 'GetCallerIdentity' }, () => {
        throw new OpenApiServiceError({ status: 403, code: 'NoPermission', message: 'You are not authorized to do this action.' });
      });
      const sts = new Sts(new $OpenApiUtil.Config({ ...AK, endpoint: fresh.host, protocol: 'http' }));
      expect(await failure(sts.getCallerIdentity())).toMatchObject({ code: 'NoPermission', statusCode: 403 });
      fresh.handle({ action: 'GetCallerIdentity' }, () => new OpenApiServiceError({ status: 500, code: 'InternalError' }));
      expect(await failure(sts.getCallerIdentity())).toMatchObject({ name: 'ServerError', code: 'InternalError', statusCode: 500 });
    } finally {
      await fresh.close();
    }
  });

  it('injects N failures for one action, then answers normally', async () => {
    api.injectFault({ kind: 'error', httpStatus: 503, code: 'ServiceUnavailable' }, { times: 2, action: 'GetCallerIdentity' });
    api.injectFault({ kind: 'throttle' }, { action: 'SomeOtherAction' });
    const sts = client(AK);
    expect(await failure(sts.getCallerIdentity())).toMatchObject({ code: 'ServiceUnavailable', statusCode: 503 });
    expect(await failure(sts.getCallerIdentity())).toMatchObject({ code: 'ServiceUnavailable' });
    await expect(sts.getCallerIdentity()).resolves.toMatchObject({ statusCode: 200 });
    expect(api.requests.entries().slice(-3).map((r) => r.fault)).toEqual(['error', 'error', undefined]);
  });

  it('delays an answer on the emulator clock with a latency fault', async () => {
    api.injectFault({ kind: 'latency', delayMs: 30_000 });
    const pending = client(AK).getCallerIdentity();
    await expect.poll(() => api.requests.last()?.fault).toBe('latency');
    expect(calls).toHaveLength(0);
    await clock.advance(30_000);
    await expect(pending).resolves.toMatchObject({ statusCode: 200 });
    clock.setWallClock(Date.now());
  });

  it('holds a request with infinite latency until close, which releases it', async () => {
    const held = await LocalOpenApi.start({ keys: [AK] });
    held.handle({ action: 'GetCallerIdentity' }, () => ({ RequestId: 'r' }));
    held.injectFault({ kind: 'latency', delayMs: Infinity });
    const sts = new Sts(new $OpenApiUtil.Config({ ...AK, endpoint: held.host, protocol: 'http', readTimeout: 60_000 }));
    const outcome = sts.getCallerIdentity().then(
      () => 'answered',
      () => 'dropped',
    );
    await expect.poll(() => held.requests.entries().length).toBe(1);
    await held.close();
    await held.close(); // idempotent
    expect(await outcome).toBe('dropped');
    expect(held.requests.last()).toMatchObject({ fault: 'latency', status: 0 });
    expect(held.requests.counters()).toMatchObject({ requests: 1, dropped: 1 });
  });

  it('logs requests and counts them without any secret or token', async () => {
    api.keys.add({ ...STS_KEY, expiresAtMs: clock.now() + 3_600_000 });
    try {
      api.resetLog();
      await client(AK).getCallerIdentity();
      await client(STS_KEY).getCallerIdentity();
      await failure(client({ ...AK, accessKeySecret: 'guessed' }).getCallerIdentity());
      const entries = api.requests.entries();
      expect(entries.map((r) => [r.accessKeyId, r.hasSecurityToken, r.status, r.errorCode])).toEqual([
        [AK.accessKeyId, false, 200, undefined],
        [STS_KEY.accessKeyId, true, 200, undefined],
        [AK.accessKeyId, false, 400, 'SignatureDoesNotMatch'],
      ]);
      expect(entries[0]?.responseBytes).toBeGreaterThan(0);
      expect(api.requests.counters()).toMatchObject({
        requests: 3,
        errors: 1,
        byAction: { GetCallerIdentity: 3 },
        byErrorCode: { SignatureDoesNotMatch: 1 },
        byAccessKeyId: { [AK.accessKeyId]: 2, [STS_KEY.accessKeyId]: 1 },
      });
      const text = [JSON.stringify(entries), JSON.stringify(api.requests.counters()), inspect(api, { depth: 10 }), inspect(api.keys, { depth: 10, showHidden: true })].join('\n');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    } finally {
      api.keys.revoke(STS_KEY.accessKeyId);
    }
  });
});
