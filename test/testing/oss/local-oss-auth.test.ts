import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOss, LocalOssError } from '../../../src/testing/oss/index.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { newOssClient } from '../../support/capture-output.js';

const AK1 = { accessKeyId: 'LTAI-ak-one', accessKeySecret: 'secret-one-do-not-print' };
const AK2 = { accessKeyId: 'LTAI-ak-two', accessKeySecret: 'secret-two-do-not-print' };
const STS = { accessKeyId: 'STS.abc', accessKeySecret: 'sts-secret-do-not-print', securityToken: 'token-do-not-print' };
const HOUR_MS = 3_600_000;

let oss: LocalOss;
let clock: VirtualClock;

beforeAll(async () => {
  // ali-oss signs with the real time; the emulator's clock starts there and moves only when told.
  clock = new VirtualClock(Date.now());
  oss = await LocalOss.start({ clock, buckets: ['auth'] });
});
afterAll(async () => {
  await oss.close();
});

function client(credentials: { accessKeyId: string; accessKeySecret: string; stsToken?: string }, v4: boolean) {
  return newOssClient({ ...oss.clientOptions('auth'), ...credentials, authorizationV4: v4 });
}

describe.each([
  { name: 'V1', v4: false },
  { name: 'V4', v4: true },
])('$name rejections as ali-oss surfaces them', ({ v4 }) => {
  it('a wrong secret → SignatureDoesNotMatch 403', async () => {
    oss.keys.add({ ...AK1, accessKeyId: `wrong-secret-${v4}` });
    const c = client({ accessKeyId: `wrong-secret-${v4}`, accessKeySecret: 'not-the-secret' }, v4);
    await expect(c.put('a.txt', Buffer.from('x'))).rejects.toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      ecCode: '0002-00000040',
    });
    expect(oss.listObjectKeys('auth')).not.toContain('a.txt');
  });

  it('an unknown key → InvalidAccessKeyId 403 with a request id', async () => {
    const error = await client({ accessKeyId: 'nobody', accessKeySecret: 's' }, v4).get('a.txt').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', status: 403, ecCode: '0002-00000002' });
    expect((error as { requestId: string }).requestId).toBe(oss.requests.last()?.requestId);
  });

  it('a disabled key → InvalidAccessKeyId "disabled", and works again once enabled', async () => {
    const id = `disabled-${v4}`;
    oss.keys.add({ accessKeyId: id, accessKeySecret: 'd-secret' });
    const c = client({ accessKeyId: id, accessKeySecret: 'd-secret' }, v4);
    oss.keys.disable(id);
    await expect(c.put('d.txt', Buffer.from('x'))).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
      message: expect.stringContaining('disabled') as unknown,
    });
    oss.keys.enable(id);
    await expect(c.put('d.txt', Buffer.from('x'))).resolves.toMatchObject({ res: { status: 200 } });
  });

  it('a revoked key → InvalidAccessKeyId, also on HEAD (decoded from x-oss-err); the next key works', async () => {
    const one = { ...AK1, accessKeyId: `${AK1.accessKeyId}-${v4}` };
    const two = { ...AK2, accessKeyId: `${AK2.accessKeyId}-${v4}` };
    oss.keys.add(one);
    const c = client(one, v4);
    await c.put(`rot-${v4}.txt`, Buffer.from('v1'));
    oss.keys.add(two);
    oss.keys.revoke(one.accessKeyId);
    await expect(c.head(`rot-${v4}.txt`)).rejects.toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    await expect(c.put(`rot-${v4}.txt`, Buffer.from('v2'))).rejects.toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(oss.getObject('auth', `rot-${v4}.txt`)?.body.toString()).toBe('v1');
    await client(two, v4).put(`rot-${v4}.txt`, Buffer.from('v2'));
    expect(oss.getObject('auth', `rot-${v4}.txt`)?.body.toString()).toBe('v2');
    const log = oss.requests.entries().filter((r) => r.key === `rot-${v4}.txt`);
    expect(log.map((r) => [r.accessKeyId, r.status, r.errorCode])).toEqual([
      [one.accessKeyId, 200, undefined],
      [one.accessKeyId, 403, 'InvalidAccessKeyId'],
      [one.accessKeyId, 403, 'InvalidAccessKeyId'],
      [two.accessKeyId, 200, undefined],
    ]);
    expect(log[0]?.authKind).toBe(v4 ? 'v4-header' : 'v1-header');
    expect(log[0]?.bodyLength).toBe(2);
  });

  it('STS: missing token, wrong token and expiry produce the STS errors', async () => {
    const id = `${STS.accessKeyId}-${v4}`;
    oss.keys.add({ ...STS, accessKeyId: id, expiresAtMs: clock.now() + HOUR_MS });
    await expect(client({ accessKeyId: id, accessKeySecret: STS.accessKeySecret }, v4).get('x')).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
      ecCode: '0002-00000003',
    });
    const wrong = client({ accessKeyId: id, accessKeySecret: STS.accessKeySecret, stsToken: 'other-token' }, v4);
    await expect(wrong.get('x')).rejects.toMatchObject({ code: 'InvalidSecurityToken', status: 403 });
    const right = client({ accessKeyId: id, accessKeySecret: STS.accessKeySecret, stsToken: STS.securityToken }, v4);
    await right.put('sts.txt', Buffer.from('ok'));
    await clock.advance(HOUR_MS);
    await expect(right.get('sts.txt')).rejects.toMatchObject({ code: 'SecurityTokenExpired', status: 403 });
    await clock.advance(-HOUR_MS);
  });

  it('a request time too far from the server clock → RequestTimeTooSkewed 403', async () => {
    oss.keys.add({ accessKeyId: `skew-${v4}`, accessKeySecret: 'skew-secret' });
    const c = client({ accessKeyId: `skew-${v4}`, accessKeySecret: 'skew-secret' }, v4);
    await clock.advance(16 * 60_000);
    await expect(c.get('x')).rejects.toMatchObject({ code: 'RequestTimeTooSkewed', status: 403 });
    await clock.advance(-16 * 60_000);
    await expect(c.get('x')).rejects.toMatchObject({ code: 'NoSuchKey', status: 404 });
  });
});

describe('misc authentication', () => {
  it('a long-term key past its expiresAtMs → InvalidAccessKeyId', async () => {
    oss.keys.add({ accessKeyId: 'short-lived', accessKeySecret: 's', expiresAtMs: clock.now() + 1000 });
    const c = client({ accessKeyId: 'short-lived', accessKeySecret: 's' }, false);
    await expect(c.get('none')).rejects.toMatchObject({ code: 'NoSuchKey' });
    await clock.advance(1000);
    await expect(c.get('none')).rejects.toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
  });

  it('anonymous requests → AccessDenied XML with x-oss-request-id', async () => {
    const response = await fetch(`${oss.clientOptions('auth', 'path').endpoint}/auth/a.txt`);
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toContain('<Code>AccessDenied</Code>');
    expect(xml).toContain(`<RequestId>${response.headers.get('x-oss-request-id')}</RequestId>`);
  });

  it('HEAD errors have no body and carry the base64 XML in x-oss-err', async () => {
    const response = await fetch(`${oss.clientOptions('auth', 'path').endpoint}/auth/a.txt`, { method: 'HEAD' });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('');
    const decoded = Buffer.from(response.headers.get('x-oss-err') ?? '', 'base64').toString('utf8');
    expect(decoded).toContain('<Code>AccessDenied</Code>');
  });

  it('a Content-MD5 that does not match the body → InvalidDigest 400, nothing stored', async () => {
    oss.keys.add({ accessKeyId: 'md5-key', accessKeySecret: 'md5-secret' });
    const c = client({ accessKeyId: 'md5-key', accessKeySecret: 'md5-secret' }, false);
    const wrongMd5 = Buffer.alloc(16).toString('base64');
    await expect(c.put('md5.txt', Buffer.from('body'), { headers: { 'Content-MD5': wrongMd5 } })).rejects.toMatchObject({
      code: 'InvalidDigest',
      status: 400,
    });
    expect(oss.getObject('auth', 'md5.txt')).toBeUndefined();
  });

  it('counts requests by key id and error code', () => {
    const counters = oss.counters();
    expect(counters.requests).toBe(oss.requests.entries().length);
    expect(counters.byErrorCode['InvalidAccessKeyId']).toBeGreaterThanOrEqual(4);
    expect(counters.byAccessKeyId['nobody']).toBe(2);
  });

  it('never shows secrets or tokens in util.inspect, error replies or the request log', () => {
    const texts = [
      inspect(oss, { depth: 10, showHidden: true }),
      inspect(oss.keys, { depth: 10, showHidden: true }),
      JSON.stringify(oss.requests.entries()),
    ].join('\n');
    for (const secret of [AK1.accessKeySecret, AK2.accessKeySecret, STS.accessKeySecret, STS.securityToken]) {
      expect(texts).not.toContain(secret);
    }
    expect(inspect(oss)).toContain('auth');
  });

  it('rejects misuse of its own API with LocalOssError', () => {
    expect(() => oss.keys.add(AK1)).not.toThrow();
    expect(() => oss.keys.add(AK1)).toThrow(LocalOssError);
    expect(() => oss.keys.disable('not-registered')).toThrow(expect.objectContaining({ code: 'LocalOss.UnknownKey' }) as Error);
    expect(() => oss.createBucket('Bad_Name')).toThrow(expect.objectContaining({ code: 'LocalOss.InvalidBucketName' }) as Error);
  });
});
