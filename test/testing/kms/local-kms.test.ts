import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import * as openApiUtilModule from '@alicloud/openapi-util';
import type * as OpenApiUtilTypes from '@alicloud/openapi-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cjsDefaultExport } from '../../../src/runtime/cjs-default-export.js';
import { LocalKms } from '../../../src/testing/kms/index.js';
import { SecretStore } from '../../../src/testing/secret-store.js';
import { MAX_TIMER_DELAY_MS } from '../../../src/runtime/clock.js';
import { VirtualClock } from '../../support/virtual-clock.js';

// The SDK's own signer (not the emulator's code) signs the hand-made requests below.
type UtilClass = typeof OpenApiUtilTypes extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;
const OpenApiUtil = cjsDefaultExport<UtilClass>(openApiUtilModule);

const AK = { accessKeyId: 'LTAI-reader', accessKeySecret: 'reader-secret' };
const STS = { accessKeyId: 'STS.reader', accessKeySecret: 'sts-secret', securityToken: 'sts-token-1' };

interface RawRequest {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  credentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /** Changes applied after signing. */
  tamper?: { query?: Record<string, string>; headers?: Record<string, string>; body?: string };
  dateMs?: number;
}

let kms: LocalKms;
let nowMs = Date.now();
const clock = { now: () => nowMs, monotonicNow: () => performance.now(), setTimeout: (cb: () => void, ms: number) => setTimeout(cb, ms), clearTimeout: (t: unknown) => clearTimeout(t as NodeJS.Timeout) };

function kmsDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Signs like @alicloud/openapi-client (ACS3-HMAC-SHA256), then sends; resolves status and JSON body. */
function send(raw: RawRequest = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string } = raw.credentials ?? AK;
  const body = raw.body ?? '';
  const query = { SecretName: 'app-secret', FetchExtendedConfig: 'true', ...raw.query };
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const headers: Record<string, string> = {
    host: kms.host,
    'x-acs-version': '2016-01-20',
    'x-acs-action': 'GetSecretValue',
    'x-acs-date': kmsDate(raw.dateMs ?? nowMs),
    'x-acs-signature-nonce': randomUUID(),
    'x-acs-content-sha256': payloadHash,
    accept: 'application/json',
    ...(credentials.securityToken ? { 'x-acs-accesskey-id': credentials.accessKeyId, 'x-acs-security-token': credentials.securityToken } : {}),
    ...raw.headers,
  };
  const signedShape = { method: 'POST', pathname: '/', query, headers } as unknown as Parameters<UtilClass['getAuthorization']>[0];
  headers['Authorization'] = OpenApiUtil.getAuthorization(signedShape, 'ACS3-HMAC-SHA256', payloadHash, credentials.accessKeyId, credentials.accessKeySecret);
  const finalQuery = { ...query, ...raw.tamper?.query };
  const finalHeaders = { ...headers, ...raw.tamper?.headers };
  const finalBody = raw.tamper?.body ?? body;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(kms.host.split(':')[1]), method: 'POST', path: `/?${new URLSearchParams(finalQuery)}`, headers: finalHeaders },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(finalBody);
  });
}

beforeAll(async () => {
  const store = new SecretStore();
  store.setSecret('app-secret', { secretData: 'plain-secret-value', extendedConfig: { CustomData: {} } });
  kms = await LocalKms.start({ store, clock });
  kms.addPrincipal(AK);
  kms.addPrincipal({ ...STS, expiresAtMs: nowMs + 3_600_000 });
});
afterAll(() => kms.close());

describe('LocalKms request verification', () => {
  it('accepts a request signed like the SDK signs it, and answers the OpenAPI JSON shape', async () => {
    const { status, body } = await send();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      SecretName: 'app-secret',
      SecretType: 'Generic',
      SecretData: 'plain-secret-value',
      SecretDataType: 'text',
      VersionStages: { VersionStage: ['ACSCurrent'] },
      ExtendedConfig: '{"CustomData":{}}',
    });
    expect(body['CreateTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body).not.toHaveProperty('NextRotationDate');
    const withoutExtended = await send({ query: { FetchExtendedConfig: 'false' } });
    expect(withoutExtended.body).not.toHaveProperty('ExtendedConfig');
  });

  it.each([
    ['a query parameter changed after signing', { tamper: { query: { SecretName: 'other-secret' } } }, 400, 'SignatureDoesNotMatch'],
    ['a signed header changed after signing', { tamper: { headers: { 'x-acs-signature-nonce': 'changed-nonce' } } }, 400, 'SignatureDoesNotMatch'],
    ['a body that does not match x-acs-content-sha256', { tamper: { body: 'SecretName=x' } }, 400, 'IncompleteSignature'],
    ['an unsigned x-acs- header', { tamper: { headers: { 'x-acs-extra': '1' } } }, 400, 'IncompleteSignature'],
    ['no Authorization', { tamper: { headers: { Authorization: 'Bearer abc' } } }, 400, 'IncompleteSignature'],
    ['a wrong secret', { credentials: { accessKeyId: AK.accessKeyId, accessKeySecret: 'guess' } }, 400, 'SignatureDoesNotMatch'],
    ['an unknown AccessKeyId', { credentials: { accessKeyId: 'LTAI-unknown', accessKeySecret: 'x' } }, 404, 'InvalidAccessKeyId.NotFound'],
    ['a date 20 minutes off', { dateMs: Date.now() + 20 * 60_000 }, 400, 'InvalidTimeStamp.Expired'],
    ['an STS key without its token', { credentials: { accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret } }, 400, 'InvalidSecurityToken.Missing'],
    ['an STS key with another token', { credentials: { ...STS, securityToken: 'forged' } }, 400, 'InvalidSecurityToken.MismatchWithAccessKey'],
    ['a token with a long-term key', { credentials: { ...AK, securityToken: 'x' } }, 400, 'InvalidSecurityToken.Malformed'],
    ['another action', { headers: { 'x-acs-action': 'ListSecrets' } }, 404, 'InvalidAction.NotFound'],
    ['another API version', { headers: { 'x-acs-version': '2020-01-01' } }, 400, 'InvalidVersion'],
    ['no SecretName', { query: { SecretName: '' } }, 400, 'MissingParameter'],
  ] as const)('rejects %s', async (_label, raw, status, code) => {
    const response = await send(raw as RawRequest);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ Code: code });
    expect(response.body['RequestId']).toEqual(expect.any(String));
  });

  it('accepts STS credentials with their token until they expire', async () => {
    expect((await send({ credentials: STS })).status).toBe(200);
    nowMs += 3_600_000;
    try {
      const expired = await send({ credentials: STS, dateMs: nowMs });
      expect(expired.body).toMatchObject({ Code: 'InvalidSecurityToken.Expired' });
    } finally {
      nowMs -= 3_600_000;
    }
  });

  it('refuses a replayed nonce', async () => {
    const nonce = randomUUID();
    expect((await send({ headers: { 'x-acs-signature-nonce': nonce } })).status).toBe(200);
    expect((await send({ headers: { 'x-acs-signature-nonce': nonce } })).body).toMatchObject({ Code: 'SignatureNonceUsed' });
  });

  it('logs requests without secrets and counts them', async () => {
    kms.resetLog();
    await send({ credentials: STS });
    await send({ credentials: { accessKeyId: AK.accessKeyId, accessKeySecret: 'guess' } });
    expect(kms.callCount).toBe(2);
    expect(kms.requests[1]).toMatchObject({ accessKeyId: AK.accessKeyId, errorCode: 'SignatureDoesNotMatch', httpStatus: 400 });
    const logText = JSON.stringify(kms.requests);
    for (const secret of ['plain-secret-value', STS.securityToken, STS.accessKeySecret, AK.accessKeySecret]) expect(logText).not.toContain(secret);
  });

  it('applies a fault to the given number of requests, and a custom error', async () => {
    kms.injectFault({ kind: 'throttle' }, 2);
    kms.injectFault({ kind: 'error', httpStatus: 409, code: 'Rejected.Disabled' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await send()).body['Code'] ?? 'ok');
    expect(statuses).toEqual(['Rejected.Throttling', 'Rejected.Throttling', 'Rejected.Disabled', 'ok']);
  });

  it('closes promptly while an answer is held back by injected latency', async () => {
    const slow = await LocalKms.start({ store: new SecretStore() });
    slow.injectFault({ kind: 'latency', delayMs: 60_000 }, Infinity);
    const port = Number(slow.host.split(':')[1]);
    const pending = new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/' }, () => resolve('answered'));
      req.on('error', () => resolve('dropped'));
      req.end();
    });
    await expect.poll(() => slow.callCount).toBe(1);
    await slow.close();
    expect(await pending).toBe('dropped');
  });

  it('holds a request with latency Infinity however far its clock moves, until close (accepts, never answers)', async () => {
    const virtual = new VirtualClock(Date.now());
    const hanging = await LocalKms.start({ store: new SecretStore(), clock: virtual });
    const port = Number(hanging.host.split(':')[1]);
    const ask = () =>
      new Promise<string>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res) => {
          res.resume();
          resolve(`answered ${res.statusCode}`);
        });
        req.on('error', () => resolve('dropped'));
        req.end();
      });
    try {
      // A finite latency is released by the clock...
      hanging.injectFault({ kind: 'latency', delayMs: 5_000 });
      const slow = ask();
      await expect.poll(() => hanging.callCount).toBe(1);
      await virtual.advance(5_000);
      expect(await slow).toBe('answered 400'); // then answered normally (here: an unsigned request)
      // ...an infinite one is not, not even after longer than any Node timer could wait.
      hanging.injectFault({ kind: 'latency', delayMs: Infinity });
      let outcome: string | undefined;
      const held = ask().then((value) => (outcome = value));
      await expect.poll(() => hanging.callCount).toBe(2);
      await virtual.advance(10 * MAX_TIMER_DELAY_MS);
      expect(outcome).toBeUndefined();
      expect(hanging.requests[1]).toMatchObject({ fault: 'latency', httpStatus: 0 });
      await hanging.close();
      await held;
      expect(outcome).toBe('dropped');
    } finally {
      await hanging.close();
    }
  });
});
