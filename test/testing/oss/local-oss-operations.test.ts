import { createHash } from 'node:crypto';
import OSS from 'ali-oss';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOss } from '../../../src/testing/oss/index.js';
import { newOssClient } from '../../support/capture-output.js';

const AK = { accessKeyId: 'LTAI-long-term', accessKeySecret: 'long-term-secret' };
const STS = { accessKeyId: 'STS.temporary', accessKeySecret: 'sts-secret', securityToken: 'sts-token-1' };

// Methods @types/ali-oss forgets.
interface Undeclared {
  getObjectMeta(name: string): Promise<{ res: OSS.NormalSuccessResponse }>;
  putObjectTagging(name: string, tag: Record<string, string>): Promise<unknown>;
  getObjectTagging(name: string): Promise<{ tag: Record<string, string> }>;
  deleteObjectTagging(name: string): Promise<unknown>;
}
type Client = OSS & Undeclared;

/** Response headers (typed as `object` by @types/ali-oss). */
function headersOf(res: OSS.NormalSuccessResponse): Record<string, string> {
  return res.headers as Record<string, string>;
}

/** Options with user metadata (@types/ali-oss demands uid/pid fields in `meta`). */
function withMeta<T>(meta: Record<string, string>): T {
  return { meta } as unknown as T;
}

const configs = [
  { name: 'V1', v4: false, sts: false },
  { name: 'V1 + STS', v4: false, sts: true },
  { name: 'V4', v4: true, sts: false },
  { name: 'V4 + STS', v4: true, sts: true },
] as const;

let oss: LocalOss;

beforeAll(async () => {
  oss = await LocalOss.start({ keys: [AK, STS] });
});
afterAll(async () => {
  await oss.close();
});

describe.each(configs)('ali-oss $name against LocalOss', ({ name, v4, sts }) => {
  const bucket = `ops-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  let client: Client;

  beforeAll(() => {
    oss.createBucket(bucket);
    const credentials = sts
      ? { accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret, stsToken: STS.securityToken }
      : AK;
    client = newOssClient({ ...oss.clientOptions(bucket), ...credentials, authorizationV4: v4 }) as Client;
  });

  it('puts, gets, heads and deletes with user metadata and the MD5 ETag', async () => {
    const body = Buffer.from('hello local oss');
    const put = await client.put('dir/a.txt', body, withMeta({ owner: 'me', 'x-tag': 'v1' }));
    expect(put.res.status).toBe(200);
    const stored = oss.getObject(bucket, 'dir/a.txt');
    expect(stored?.body).toEqual(body);
    expect(stored?.meta).toEqual({ owner: 'me', 'x-tag': 'v1' });
    expect(stored?.headers['content-type']).toBe('text/plain');
    expect(stored?.etag).toBe(`"${md5Hex(body)}"`);

    const got = await client.get('dir/a.txt');
    expect(got.content).toEqual(body);
    expect(headersOf(got.res)['etag']).toBe(stored?.etag);

    const head = await client.head('dir/a.txt');
    expect(head.meta).toEqual({ owner: 'me', 'x-tag': 'v1' });
    expect(headersOf(head.res)['content-length']).toBe(String(body.length));

    const meta = await client.getObjectMeta('dir/a.txt');
    expect(headersOf(meta.res)['etag']).toBe(stored?.etag);

    await client.delete('dir/a.txt');
    expect(oss.getObject(bucket, 'dir/a.txt')).toBeUndefined();
  });

  it('serves Range requests with 206 and Content-Range', async () => {
    await client.put('range.bin', Buffer.from('0123456789'));
    const part = await client.get('range.bin', { headers: { Range: 'bytes=2-5' } });
    expect(part.res.status).toBe(206);
    expect(part.content.toString()).toBe('2345');
    expect(headersOf(part.res)['content-range']).toBe('bytes 2-5/10');
  });

  it('round-trips unicode and special-character keys', async () => {
    const key = 'uni/日本語 +&?#%=.txt';
    await client.put(key, Buffer.from('u'));
    expect(oss.listObjectKeys(bucket)).toContain(key);
    expect((await client.get(key)).content.toString()).toBe('u');
  });

  it('accepts putStream with and without a content length (chunked)', async () => {
    await client.putStream('stream/chunked.txt', Readable.from([Buffer.from('abc'), Buffer.from('def')]));
    expect(oss.getObject(bucket, 'stream/chunked.txt')?.body.toString()).toBe('abcdef');
    await client.putStream('stream/sized.txt', Readable.from([Buffer.from('xyz')]), { contentLength: 3 } as OSS.PutStreamOptions);
    expect(oss.getObject(bucket, 'stream/sized.txt')?.body.toString()).toBe('xyz');
  });

  it('appends at the right position and rejects a wrong one', async () => {
    const first = (await client.append('log.txt', Buffer.from('one'))) as { nextAppendPosition: string };
    expect(first.nextAppendPosition).toBe('3');
    await client.append('log.txt', Buffer.from('two'), { position: first.nextAppendPosition });
    expect(oss.getObject(bucket, 'log.txt')?.body.toString()).toBe('onetwo');
    expect(oss.getObject(bucket, 'log.txt')?.type).toBe('Appendable');
    await expect(client.append('log.txt', Buffer.from('x'), { position: '1' })).rejects.toMatchObject({
      code: 'PositionNotEqualToLength',
      status: 409,
    });
  });

  it('lists v1 with prefix, delimiter, marker and max-keys', async () => {
    for (const key of ['list/a', 'list/b', 'list/sub/c', 'list/sub/d', 'list/z']) await client.put(key, Buffer.from(key));
    const page1 = await client.list({ prefix: 'list/', delimiter: '/', 'max-keys': 2 }, {});
    expect(page1.objects.map((o) => o.name)).toEqual(['list/a', 'list/b']);
    expect(page1.isTruncated).toBe(true);
    const page2 = await client.list({ prefix: 'list/', delimiter: '/', marker: page1.nextMarker ?? '', 'max-keys': 10 }, {});
    expect(page2.prefixes).toEqual(['list/sub/']);
    expect(page2.objects.map((o) => o.name)).toEqual(['list/z']);
    expect(page2.isTruncated).toBe(false);
    expect(page2.objects[0]?.size).toBe(6);
  });

  it('lists v2 with continuation tokens', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, unknown> = { prefix: 'list/', 'max-keys': 2 };
      if (token) query['continuation-token'] = token;
      const page = (await client.listV2(query as OSS.ListV2ObjectsQuery, {})) as unknown as {
        objects: { name: string }[];
        nextContinuationToken: string | null;
        keyCount: number;
      };
      expect(page.keyCount).toBe(page.objects.length);
      seen.push(...page.objects.map((o) => o.name));
      token = page.nextContinuationToken ?? undefined;
    } while (token);
    expect(seen).toEqual(['list/a', 'list/b', 'list/sub/c', 'list/sub/d', 'list/z']);
  });

  it('copies with COPY and REPLACE metadata directives', async () => {
    await client.put('copy/src.txt', Buffer.from('source'), withMeta({ a: '1' }));
    const copied = await client.copy('copy/dst.txt', 'copy/src.txt');
    expect(copied.data?.etag).toBe(oss.getObject(bucket, 'copy/src.txt')?.etag);
    expect(oss.getObject(bucket, 'copy/dst.txt')?.meta).toEqual({ a: '1' });
    await client.copy('copy/dst2.txt', 'copy/src.txt', withMeta({ b: '2' }));
    expect(oss.getObject(bucket, 'copy/dst2.txt')?.meta).toEqual({ b: '2' });
    expect(oss.getObject(bucket, 'copy/dst2.txt')?.body.toString()).toBe('source');
  });

  it('puts and gets object ACLs, tags and symlinks', async () => {
    await client.put('acl.txt', Buffer.from('x'));
    await client.putACL('acl.txt', 'public-read');
    expect((await client.getACL('acl.txt')).acl).toBe('public-read');

    await client.putObjectTagging('acl.txt', { team: 'a+b c', env: 'test' });
    expect((await client.getObjectTagging('acl.txt')).tag).toEqual({ team: 'a+b c', env: 'test' });
    await client.deleteObjectTagging('acl.txt');
    expect(oss.getObject(bucket, 'acl.txt')?.tags.size).toBe(0);

    await client.putSymlink('link.txt', 'acl.txt');
    expect((await client.getSymlink('link.txt')).targetName).toBe('acl.txt');
    expect((await client.get('link.txt')).content.toString()).toBe('x');
  });

  it('deletes many objects at once, including keys with XML special characters', async () => {
    const keys = ['dm/1', 'dm/<2>&\'"'];
    for (const key of keys) await client.put(key, Buffer.from('d'));
    const result = await client.deleteMulti(keys);
    expect((result.deleted as unknown as { Key: string }[]).map((d) => d.Key).sort()).toEqual([...keys].sort());
    expect(oss.listObjectKeys(bucket).filter((k) => k.startsWith('dm/'))).toEqual([]);
  });

  it('runs a manual multipart upload with the multipart ETag', async () => {
    const partA = Buffer.alloc(100 * 1024, 'a');
    const partB = Buffer.from('tail');
    const init = await client.initMultipartUpload('mp/manual.bin', withMeta({ kind: 'mp' }));
    const p1 = await client.uploadPart('mp/manual.bin', init.uploadId, 1, partA, 0, partA.length);
    const p2 = await client.uploadPart('mp/manual.bin', init.uploadId, 2, partB, 0, partB.length);
    const parts = await client.listParts('mp/manual.bin', init.uploadId, { 'max-parts': 10 } as OSS.ListPartsQuery, {});
    expect((parts.parts as unknown as { PartNumber: string }[]).map((p) => p.PartNumber)).toEqual(['1', '2']);
    const uploads = await client.listUploads({}, {});
    expect(uploads.uploads.map((u) => u.uploadId)).toContain(init.uploadId);
    const done = await client.completeMultipartUpload('mp/manual.bin', init.uploadId, [
      { number: 1, etag: p1.etag },
      { number: 2, etag: p2.etag },
    ]);
    const stored = oss.getObject(bucket, 'mp/manual.bin');
    expect(stored?.body).toEqual(Buffer.concat([partA, partB]));
    expect(stored?.type).toBe('Multipart');
    expect(stored?.meta).toEqual({ kind: 'mp' });
    const expectedEtag = `"${md5Hex(Buffer.concat([md5(partA), md5(partB)])).toUpperCase()}-2"`;
    expect(stored?.etag).toBe(expectedEtag);
    expect(done.etag).toBe(expectedEtag);
    expect(oss.listUploadIds(bucket)).not.toContain(init.uploadId);
  });

  it('aborts a multipart upload', async () => {
    const init = await client.initMultipartUpload('mp/aborted.bin');
    await client.abortMultipartUpload('mp/aborted.bin', init.uploadId);
    expect(oss.listUploadIds(bucket)).not.toContain(init.uploadId);
    await expect(client.abortMultipartUpload('mp/aborted.bin', init.uploadId)).rejects.toMatchObject({
      code: 'NoSuchUpload',
      status: 404,
    });
  });

  it('runs multipartUpload and multipartUploadCopy (uploadPartCopy)', async () => {
    const data = Buffer.alloc(250 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    await client.multipartUpload('mp/managed.bin', data, { partSize: 100 * 1024, parallel: 2 });
    expect(oss.getObject(bucket, 'mp/managed.bin')?.body).toEqual(data);
    await client.multipartUploadCopy(
      'mp/copied.bin',
      { sourceKey: 'mp/managed.bin', sourceBucketName: bucket } as OSS.MultipartUploadCopySourceData,
      { partSize: 100 * 1024 },
    );
    expect(oss.getObject(bucket, 'mp/copied.bin')?.body).toEqual(data);
    // The log tells copied parts (no body, a copy source) from uploaded ones.
    const puts = (key: string) => oss.requests.entries().filter((r) => r.bucket === bucket && r.key === key && r.method === 'PUT');
    const parts = puts('mp/copied.bin').sort((a, b) => Number(a.query.partNumber) - Number(b.query.partNumber));
    expect(parts.map((r) => [r.query.partNumber, r.status, r.bodyLength, r.copySource])).toEqual([
      ['1', 200, 0, `/${bucket}/mp%2Fmanaged.bin`],
      ['2', 200, 0, `/${bucket}/mp%2Fmanaged.bin`],
      ['3', 200, 0, `/${bucket}/mp%2Fmanaged.bin`],
    ]);
    expect(puts('mp/managed.bin').map((r) => r.copySource)).toEqual([undefined, undefined, undefined]);
  });

  it('answers NoSuchKey (with x-oss-err on HEAD) and NoSuchBucket', async () => {
    await expect(client.get('missing.txt')).rejects.toMatchObject({ code: 'NoSuchKey', status: 404 });
    await expect(client.head('missing.txt')).rejects.toMatchObject({ code: 'NoSuchKey', status: 404 });
    const other = new OSS({ ...oss.clientOptions('no-such-bucket'), ...AK, authorizationV4: v4 });
    await expect(other.get('a')).rejects.toMatchObject({ code: 'NoSuchBucket', status: 404 });
  });
});

describe('bucket operations', () => {
  it('creates, lists, describes and deletes buckets', async () => {
    const client = new OSS({ ...oss.clientOptions(), ...AK }) as Client;
    await client.putBucket('made-by-client');
    expect(oss.listBucketNames()).toContain('made-by-client');
    await expect(client.putBucket('made-by-client')).rejects.toMatchObject({ code: 'BucketAlreadyExists', status: 409 });
    const listed = (await client.listBuckets({})) as unknown as { buckets: { name: string }[] };
    expect(listed.buckets.map((b) => b.name)).toContain('made-by-client');
    const info = await client.getBucketInfo('made-by-client');
    expect((info.bucket as { Name: string }).Name).toBe('made-by-client');
    oss.putObject('made-by-client', 'k', 'v');
    await expect(client.deleteBucket('made-by-client')).rejects.toMatchObject({ code: 'BucketNotEmpty', status: 409 });
    oss.putObject('made-by-client', 'k', 'v');
    const bucketClient = new OSS({ ...oss.clientOptions('made-by-client'), ...AK });
    await bucketClient.delete('k');
    await client.deleteBucket('made-by-client');
    expect(oss.listBucketNames()).not.toContain('made-by-client');
  });

  it('answers 501 NotImplemented for operations it does not emulate', async () => {
    oss.createBucket('not-impl');
    const client = new OSS({ ...oss.clientOptions('not-impl'), ...AK });
    await expect(client.getBucketLifecycle('not-impl')).rejects.toMatchObject({ code: 'NotImplemented', status: 501 });
  });
});

function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}
function md5Hex(data: Buffer): string {
  return md5(data).toString('hex').toUpperCase();
}
