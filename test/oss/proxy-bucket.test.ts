import OSS from 'ali-oss';
import { Readable, Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { OssAKExpireHandler } from '../../src/oss/oss-ak-expire-handler.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { ProxyBucketError } from '../../src/oss/proxy-bucket-error.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { credential, ManualCredentialProvider } from '../support/manual-credential-provider.js';

// ProxyBucket over the real ali-oss client against LocalOss (real HTTP, real signature checks), with a
// hand-driven credential provider so each test controls exactly which key KMS "has".
const BUCKET = 'proxy-bucket-test';
const K1 = credential('LTAI-K1');
const K2 = credential('LTAI-K2');

let oss: LocalOss;
let provider: ManualCredentialProvider;
let bucket: ProxyBucket;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET] });
});
afterAll(async () => {
  await oss.close();
});

beforeEach(() => {
  for (const key of oss.keys.list()) oss.keys.revoke(key.accessKeyId);
  oss.keys.add({ accessKeyId: K1.accessKeyId, accessKeySecret: K1.accessKeySecret });
  oss.keys.add({ accessKeyId: K2.accessKeyId, accessKeySecret: K2.accessKeySecret });
  provider = new ManualCredentialProvider(K1);
  bucket = new ProxyBucket({ secretName: 'oss-ak', cacheClient: provider, ...oss.clientOptions(BUCKET) });
  oss.requests.clear();
});
afterEach(async () => {
  await bucket.shutdown();
});

/** Simulates a rotation: KMS now holds K2 and OSS no longer accepts K1. */
function rotateAndRevokeK1(): void {
  provider.nextFetched = K2;
  oss.keys.revoke(K1.accessKeyId);
}

function keysUsed(): (string | undefined)[] {
  return oss.requests.entries().map((r) => r.accessKeyId);
}

describe('ProxyBucket construction', () => {
  it('is synchronous and rejects credential options, naming the option', () => {
    expect(() => new ProxyBucket({ secretName: 's', cacheClient: provider, accessKeyId: 'x' } as never)).toThrow(
      /"accessKeyId" is not allowed/,
    );
    expect(() => new ProxyBucket({ secretName: '', cacheClient: provider })).toThrow(ProxyBucketError);
    expect(() => new ProxyBucket({ secretName: 's', cacheClient: provider, akExpireHandler: {} as never })).toThrow(
      /akExpireHandler/,
    );
  });

  it('is usable where an OSS client is expected, including methods @types/ali-oss omits', async () => {
    const client: OSS = bucket; // compile-time check: assignable to the OSS type
    await client.put('typed.txt', Buffer.from('typed'));
    const meta = await bucket.getObjectMeta('typed.txt');
    expect(meta.status).toBe(200);
    expect(bucket).toBeInstanceOf(ProxyBucket);
  });
});

describe('credentials', () => {
  it('makes the first call wait for the first credential', async () => {
    const held = new ManualCredentialProvider();
    const gate = held.holdFirstLoad();
    const waiting = new ProxyBucket({ secretName: 's', cacheClient: held, ...oss.clientOptions(BUCKET) });
    const put = waiting.put('first.txt', Buffer.from('first'));
    const ready = waiting.ready();
    gate.release(K1);
    await Promise.all([put, ready]);
    expect(oss.getObject(BUCKET, 'first.txt')?.body.toString()).toBe('first');
    expect(waiting.accessKeyId).toBe(K1.accessKeyId);
    await waiting.shutdown();
  });

  it('signs each request with the key the cache holds at that moment', async () => {
    await bucket.put('a.txt', Buffer.from('a'));
    provider.current = K2; // the cache refreshed in the background
    await bucket.put('b.txt', Buffer.from('b'));
    expect(keysUsed()).toEqual([K1.accessKeyId, K2.accessKeyId]);
  });

  it('sends the STS token of an STS-style secret together with its key', async () => {
    const sts = credential('STS-K3', 'token-of-k3-abcdef');
    oss.keys.add({ accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken });
    provider.current = sts;
    await bucket.put('sts.txt', Buffer.from('sts'));
    provider.current = K1; // a key without token must not carry the old token along
    await bucket.put('ak.txt', Buffer.from('ak'));
    expect(oss.requests.entries().map((r) => r.status)).toEqual([200, 200]);
  });
});

describe('refresh and retry once on a rejected key', () => {
  it('retries a Buffer upload with the new key after a revoke, invisibly', async () => {
    rotateAndRevokeK1();
    await bucket.put('rotated.txt', Buffer.from('payload'));
    expect(oss.getObject(BUCKET, 'rotated.txt')?.body.toString()).toBe('payload');
    expect(keysUsed()).toEqual([K1.accessKeyId, K2.accessKeyId]);
    expect(provider.refreshCalls).toEqual([{ staleAccessKeyId: K1.accessKeyId, suspected: false }]);
  });

  it('retries reads, listings and deletes', async () => {
    oss.putObject(BUCKET, 'r.txt', 'read me');
    rotateAndRevokeK1();
    const got = await bucket.get('r.txt');
    expect(got.content.toString()).toBe('read me');
    const listed = await bucket.list({ prefix: 'r', 'max-keys': 10 }, {});
    expect(listed.objects.map((o) => o.name)).toContain('r.txt');
    await bucket.delete('r.txt');
    expect(oss.getObject(BUCKET, 'r.txt')).toBeUndefined();
  });

  it('retries getStream, whose 403 carries no error code', async () => {
    oss.putObject(BUCKET, 's.txt', 'streamed');
    rotateAndRevokeK1();
    const { stream } = await bucket.getStream('s.txt');
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('streamed');
  });

  it('does not retry when the refresh finds the same key, and surfaces the original error', async () => {
    oss.keys.revoke(K1.accessKeyId); // revoked, but KMS still hands out K1
    const error = await bucket.put('same.txt', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(keysUsed()).toEqual([K1.accessKeyId]);
    expect(provider.refreshCalls).toHaveLength(1);
  });

  it('does not refresh for errors that are not about the key', async () => {
    const error = await bucket.get('missing.txt').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NoSuchKey', status: 404 });
    expect(provider.refreshCalls).toHaveLength(0);
  });

  it('honours a custom AKExpireHandler', async () => {
    const custom = new ProxyBucket({
      secretName: 'oss-ak',
      cacheClient: provider,
      akExpireHandler: new OssAKExpireHandler(['SignatureDoesNotMatch']),
      ...oss.clientOptions(BUCKET),
    });
    // Same AccessKeyId, new secret: OSS answers SignatureDoesNotMatch, which only the custom handler accepts.
    oss.keys.revoke(K1.accessKeyId);
    const newSecret = { accessKeyId: 'LTAI-K1', accessKeySecret: 'a-brand-new-secret-for-k1' };
    oss.keys.add(newSecret);
    provider.nextFetched = new AccessKeyCredential(newSecret);
    await custom.put('custom.txt', Buffer.from('custom'));
    expect(oss.requests.entries().map((r) => r.errorCode ?? r.status)).toEqual(['SignatureDoesNotMatch', 200]);

    const neverHandler = new ProxyBucket({
      secretName: 'oss-ak',
      cacheClient: provider,
      akExpireHandler: { judgeAKExpire: () => false },
      ...oss.clientOptions(BUCKET),
    });
    oss.keys.revoke('LTAI-K1');
    provider.nextFetched = K2;
    await expect(neverHandler.put('never.txt', Buffer.from('x'))).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    expect(provider.refreshCalls).toHaveLength(1); // only the custom bucket's refresh
    await custom.shutdown();
    await neverHandler.shutdown();
  });
});

describe('never replays a consumed body', () => {
  it('rejects putStream across a revoke without storing anything, and says a fresh stream will work', async () => {
    rotateAndRevokeK1();
    const error = (await bucket
      .putStream('stream.txt', Readable.from([Buffer.from('stream-'), Buffer.from('body')]))
      .catch((e: unknown) => e)) as { code?: string; retryWithFreshBody?: boolean; message: string };
    expect(error.code).toBe('InvalidAccessKeyId');
    expect(error.retryWithFreshBody).toBe(true);
    expect(error.message).toMatch(/fresh stream/);
    await oss.whenIdle();
    expect(oss.getObject(BUCKET, 'stream.txt')).toBeUndefined();
    expect(keysUsed()).toEqual([K1.accessKeyId]); // sent once, never replayed

    await bucket.putStream('stream.txt', Readable.from([Buffer.from('stream-body')]));
    expect(oss.getObject(BUCKET, 'stream.txt')?.body.toString()).toBe('stream-body');
  });

  it('rejects put with a Readable body the same way', async () => {
    rotateAndRevokeK1();
    await expect(bucket.put('readable.txt', Readable.from([Buffer.from('r')]))).rejects.toMatchObject({
      code: 'InvalidAccessKeyId',
      retryWithFreshBody: true,
    });
    expect(oss.getObject(BUCKET, 'readable.txt')).toBeUndefined();
  });

  it('does not replay get into a Writable that already received the error', async () => {
    oss.putObject(BUCKET, 'w.txt', 'to writable');
    rotateAndRevokeK1();
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    await expect(bucket.get('w.txt', sink)).rejects.toMatchObject({ retryWithFreshBody: true });
    expect(keysUsed()).toEqual([K1.accessKeyId]);
  });
});

describe('multipartUpload', () => {
  it('resumes from its checkpoint with the same uploadId after a revoke mid-upload', async () => {
    const partSize = 100 * 1024;
    const data = Buffer.alloc(partSize * 3 + 7, 'm');
    let revoked = false;
    const result = await bucket.multipartUpload('big.bin', data, {
      partSize,
      parallel: 1,
      progress: async (percentage: number) => {
        if (percentage > 0 && !revoked) {
          revoked = true; // after the first part: rotate and revoke while the upload runs
          rotateAndRevokeK1();
        }
      },
    });
    expect(result.res.status).toBe(200);
    expect(oss.getObject(BUCKET, 'big.bin')?.body.equals(data)).toBe(true);
    const initiations = oss.requests.entries().filter((r) => r.method === 'POST' && 'uploads' in r.query);
    expect(initiations).toHaveLength(1);
    const uploadIds = new Set(oss.requests.entries().map((r) => r.query.uploadId).filter(Boolean));
    expect(uploadIds.size).toBe(1);
    expect(oss.listUploadIds(BUCKET)).toEqual([]);
  });
});

describe('cancel API', () => {
  it('cancels a multipartUpload through the ProxyBucket and resumes it from the checkpoint', async () => {
    const partSize = 100 * 1024;
    const data = Buffer.alloc(partSize * 3, 'c');
    let checkpoint: unknown;
    const cancelled = await bucket
      .multipartUpload('cancel.bin', data, {
        partSize,
        parallel: 1,
        progress: async (percentage: number, cp: unknown) => {
          if (cp) checkpoint = cp;
          if (percentage > 0) bucket.cancel();
        },
      })
      .catch((e: unknown) => e);
    expect(cancelled).toMatchObject({ name: 'cancel' });
    expect(bucket.isCancel()).toBe(true);
    expect(oss.getObject(BUCKET, 'cancel.bin')).toBeUndefined();
    bucket.resetCancelFlag();
    expect(bucket.isCancel()).toBe(false);
    await bucket.multipartUpload('cancel.bin', data, { partSize, parallel: 1, checkpoint } as never);
    expect(oss.getObject(BUCKET, 'cancel.bin')?.body.equals(data)).toBe(true);
    const initiations = oss.requests.entries().filter((r) => r.method === 'POST' && 'uploads' in r.query);
    expect(initiations).toHaveLength(1);
  });
});

describe('synchronous signers', () => {
  it('throw a clear error before the first load and use the current key after it', async () => {
    const held = new ManualCredentialProvider();
    const gate = held.holdFirstLoad();
    const pathStyle = new ProxyBucket({ secretName: 's', cacheClient: held, ...oss.clientOptions(BUCKET, 'path') });
    expect(() => pathStyle.signatureUrl('signed.txt')).toThrow(/ready\(\)/);
    gate.release(K1);
    await pathStyle.ready();
    oss.putObject(BUCKET, 'signed.txt', 'signed body');
    const response = await fetch(pathStyle.signatureUrl('signed.txt', { expires: 60 }));
    expect(await response.text()).toBe('signed body');
    await pathStyle.shutdown();
  });
});

describe('bucket switching and lifecycle', () => {
  it('useBucket chains on the ProxyBucket and switches the bucket', async () => {
    oss.createBucket('other-bucket');
    expect(bucket.useBucket('other-bucket')).toBe(bucket);
    await bucket.put('x.txt', Buffer.from('x'));
    expect(oss.getObject('other-bucket', 'x.txt')).toBeDefined();
  });

  it('shutdown is idempotent and later calls reject clearly', async () => {
    await bucket.shutdown();
    await bucket.shutdown();
    await expect(bucket.put('late.txt', Buffer.from('x'))).rejects.toMatchObject({ code: 'ProxyBucket.Shutdown' });
    expect(() => bucket.signatureUrl('late.txt')).toThrow(/shut down/);
  });
});

describe('secret hygiene', () => {
  it('never shows the AccessKeySecret or token in inspect, JSON or toString', async () => {
    const sts = credential('STS-HYGIENE', 'token-hygiene-0123456789');
    oss.keys.add({ accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken });
    provider.current = sts;
    await bucket.put('h.txt', Buffer.from('h'));
    const views = [inspect(bucket, { depth: Infinity, showHidden: true }), JSON.stringify(bucket), String(bucket), JSON.stringify(bucket.options)];
    for (const view of views) {
      expect(view).not.toContain(sts.accessKeySecret);
      expect(view).not.toContain(sts.securityToken);
    }
    expect(inspect(bucket)).toContain('STS-HYGIENE');
  });

  it('never shows them in the errors it throws', async () => {
    const sts = credential('STS-ERR', 'token-err-0123456789');
    provider.current = sts; // not registered: OSS rejects it
    const error = await bucket.put('e.txt', Buffer.from('e')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId' });
    const rendered = [inspect(error, { depth: Infinity, showHidden: true }), JSON.stringify(error), String(error)];
    for (const view of rendered) {
      expect(view).not.toContain(sts.accessKeySecret);
      expect(view).not.toContain(sts.securityToken);
    }
    expect((error as { params?: unknown }).params).toBeDefined(); // still readable, just not enumerable
  });
});
