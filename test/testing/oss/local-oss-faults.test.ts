import OSS from 'ali-oss';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOss, LocalOssError } from '../../../src/testing/oss/index.js';
import { VirtualClock } from '../../support/virtual-clock.js';

// Faults of LocalOss that recovery code must cope with: a new key OSS accepts only after a propagation
// delay, and an object the caller may not read (AccessDenied, which ali-oss cannot decode on stream reads).
const BUCKET = 'faults';
const OWNER = { accessKeyId: 'LTAI-owner', accessKeySecret: 'owner-secret-do-not-print' };

let oss: LocalOss;
let clock: VirtualClock;

beforeAll(async () => {
  // ali-oss signs with the real time; the emulator's clock starts there and moves only when told.
  clock = new VirtualClock(Date.now());
  oss = await LocalOss.start({ clock, buckets: [BUCKET], keys: [OWNER] });
});
afterAll(async () => {
  await oss.close();
});

function client(credentials: { accessKeyId: string; accessKeySecret: string }, options: Partial<OSS.Options> = {}): OSS {
  return new OSS({ ...oss.clientOptions(BUCKET), ...credentials, ...options });
}

describe('a new key accepted only after a propagation delay (acceptAfterMs)', () => {
  it('is rejected as an unknown key until the delay has passed on the emulator clock, then accepted', async () => {
    const key = { accessKeyId: 'LTAI-propagating', accessKeySecret: 'propagating-secret' };
    oss.keys.add({ ...key, acceptAfterMs: 3000 });
    const c = client(key);
    const rejected = await c.put('late.txt', Buffer.from('x')).catch((e: unknown) => e);
    expect(rejected).toMatchObject({ code: 'InvalidAccessKeyId', status: 403, ecCode: '0002-00000002' });
    // The same answer as for an id OSS has never heard of (the message included).
    const unknown = await client({ accessKeyId: 'LTAI-never-created', accessKeySecret: 'x' }).put('late.txt', Buffer.from('x')).catch((e: unknown) => e);
    expect((rejected as Error).message).toBe((unknown as Error).message);
    expect(oss.keys.list().find((k) => k.accessKeyId === key.accessKeyId)).toMatchObject({ enabled: true, acceptedFromMs: clock.now() + 3000 });

    await clock.advance(2999);
    await expect(c.head('late.txt')).rejects.toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    await clock.advance(1);
    await expect(c.put('late.txt', Buffer.from('accepted'))).resolves.toMatchObject({ res: { status: 200 } });
    expect(oss.getObject(BUCKET, 'late.txt')?.body.toString()).toBe('accepted');
    expect(oss.requests.entries().filter((r) => r.accessKeyId === key.accessKeyId).map((r) => r.errorCode ?? r.status)).toEqual([
      'InvalidAccessKeyId',
      'InvalidAccessKeyId',
      200,
    ]);
  });

  it('with Infinity waits for activate(), which a test calls when it wants the key to work', async () => {
    // Its own emulator: a year passes on its clock (with any clock skew allowed, since ali-oss signs with real time).
    const yearClock = new VirtualClock(Date.now());
    const own = await LocalOss.start({ clock: yearClock, buckets: [BUCKET], maxClockSkewMs: Infinity });
    try {
      const key = { accessKeyId: 'LTAI-until-activated', accessKeySecret: 'activated-secret' };
      own.keys.add({ ...key, acceptAfterMs: Infinity });
      await yearClock.advance(365 * 24 * 3600_000);
      const c = new OSS({ ...own.clientOptions(BUCKET), ...key });
      await expect(c.put('activated.txt', Buffer.from('x'))).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
      expect(own.keys.list()).toEqual([expect.objectContaining({ accessKeyId: key.accessKeyId, acceptedFromMs: Infinity })]);
      own.keys.activate(key.accessKeyId);
      expect(own.keys.list()).toEqual([expect.objectContaining({ accessKeyId: key.accessKeyId, acceptedFromMs: undefined })]);
      await expect(c.put('activated.txt', Buffer.from('x'))).resolves.toMatchObject({ res: { status: 200 } });
      own.keys.activate(key.accessKeyId); // already accepted: a no-op
      await expect(c.head('activated.txt')).resolves.toMatchObject({ status: 200 });
    } finally {
      await own.close();
    }
  });

  it('keeps the other key states: a propagating key that is disabled, then activated, is still disabled', async () => {
    const key = { accessKeyId: 'LTAI-propagating-disabled', accessKeySecret: 'pd-secret' };
    oss.keys.add({ ...key, acceptAfterMs: Infinity });
    oss.keys.disable(key.accessKeyId);
    oss.keys.activate(key.accessKeyId);
    await expect(client(key).put('pd.txt', Buffer.from('x'))).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
      message: expect.stringContaining('disabled') as unknown,
    });
  });

  it('refuses a negative or NaN delay and activate() of an unknown id, with LocalOssError codes', () => {
    for (const acceptAfterMs of [-1, Number.NaN]) {
      expect(() => oss.keys.add({ accessKeyId: 'LTAI-bad-delay', accessKeySecret: 's', acceptAfterMs })).toThrow(
        expect.objectContaining({ code: 'LocalOss.InvalidArgument' }) as Error,
      );
    }
    expect(oss.keys.has('LTAI-bad-delay')).toBe(false);
    expect(() => oss.keys.activate('LTAI-nobody')).toThrow(LocalOssError);
    expect(() => oss.keys.activate('LTAI-nobody')).toThrow(expect.objectContaining({ code: 'LocalOss.UnknownKey' }) as Error);
  });
});

describe('a forbidden object (setAccessDenied)', () => {
  it('answers 403 AccessDenied with an XML body to get, put and delete, and in x-oss-err to head', async () => {
    oss.putObject(BUCKET, 'secret/plan.txt', 'top secret');
    oss.setAccessDenied(BUCKET, 'secret/plan.txt');
    const c = client(OWNER);
    for (const call of [
      () => c.get('secret/plan.txt'),
      () => c.head('secret/plan.txt'),
      () => c.put('secret/plan.txt', Buffer.from('overwrite')),
      () => c.delete('secret/plan.txt'),
      () => c.copy('copy-of-plan.txt', 'secret/plan.txt'),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'AccessDenied', status: 403, message: 'You have no right to access this object because of bucket acl.' });
      expect((error as { requestId: string }).requestId).toBe(oss.requests.last()?.requestId);
    }
    expect(oss.getObject(BUCKET, 'secret/plan.txt')?.body.toString()).toBe('top secret');
    expect(oss.getObject(BUCKET, 'copy-of-plan.txt')).toBeUndefined();
    expect(oss.requests.last()).toMatchObject({ accessKeyId: OWNER.accessKeyId, status: 403, errorCode: 'AccessDenied' });
    // Other objects are not affected.
    await expect(c.put('secret/other.txt', Buffer.from('fine'))).resolves.toMatchObject({ res: { status: 200 } });
  });

  it('reaches getStream and get(name, writable) as a 403 without a code: ali-oss reads no body there', async () => {
    oss.putObject(BUCKET, 'stream/denied.bin', 'bytes');
    oss.setAccessDenied(BUCKET, 'stream/denied.bin');
    const c = client(OWNER);
    const streamError = (await c.getStream('stream/denied.bin').catch((e: unknown) => e)) as { status?: number; code?: string };
    expect(streamError).toBeInstanceOf(Error);
    expect(streamError.status).toBe(403);
    expect(streamError.code).toBeFalsy();
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const writableError = (await c.get('stream/denied.bin', sink).catch((e: unknown) => e)) as { status?: number; code?: string };
    expect(writableError.status).toBe(403);
    expect(writableError.code).toBeFalsy();
    // The server did answer AccessDenied with a body; only the client could not read it.
    expect(oss.requests.last()).toMatchObject({ method: 'GET', status: 403, errorCode: 'AccessDenied' });
  });

  it('is decodable on getStream when the server sends x-oss-err on GET (errorHeaderOnGet)', async () => {
    const withHeader = await LocalOss.start({ buckets: [BUCKET], keys: [OWNER], errorHeaderOnGet: true });
    try {
      withHeader.putObject(BUCKET, 'denied.txt', 'x');
      withHeader.setAccessDenied(BUCKET, 'denied.txt');
      const c = new OSS({ ...withHeader.clientOptions(BUCKET), ...OWNER });
      await expect(c.getStream('denied.txt')).rejects.toMatchObject({ code: 'AccessDenied', status: 403 });
    } finally {
      await withHeader.close();
    }
  });

  it('authenticates first (a bad key still gets InvalidAccessKeyId) and can be allowed again', async () => {
    oss.putObject(BUCKET, 'toggle.txt', 'toggled');
    oss.setAccessDenied(BUCKET, 'toggle.txt');
    await expect(client({ accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' }).get('toggle.txt')).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
    });
    oss.setAccessDenied(BUCKET, 'toggle.txt', false);
    const got = await client(OWNER).get('toggle.txt');
    expect(got.content.toString()).toBe('toggled');
  });
});
