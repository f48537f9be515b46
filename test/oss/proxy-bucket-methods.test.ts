import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { credential, ManualCredentialProvider } from '../support/manual-credential-provider.js';

// Each ali-oss method family through ProxyBucket, each call made right after a rotation that revoked the key
// the bucket last used, so every family also exercises the refresh-and-retry path.
const BUCKET = 'method-families';
let oss: LocalOss;
let provider: ManualCredentialProvider;
let bucket: ProxyBucket;
let generation = 0;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET] });
  const first = credential('LTAI-GEN-0');
  oss.keys.add({ accessKeyId: first.accessKeyId, accessKeySecret: first.accessKeySecret });
  provider = new ManualCredentialProvider(first);
  bucket = new ProxyBucket({ secretName: 'families', cacheClient: provider, ...oss.clientOptions(BUCKET) });
});
afterAll(async () => {
  await bucket.shutdown();
  await oss.close();
});

/** KMS rotates to a new key and OSS revokes the current one. */
beforeEach(() => {
  const old = provider.current!;
  const next = credential(`LTAI-GEN-${++generation}`);
  oss.keys.add({ accessKeyId: next.accessKeyId, accessKeySecret: next.accessKeySecret });
  oss.keys.revoke(old.accessKeyId);
  provider.nextFetched = next;
  oss.requests.clear();
});

function assertRetriedOnce(): void {
  const codes = oss.requests.entries().map((r) => r.errorCode).filter(Boolean);
  expect(codes).toEqual(['InvalidAccessKeyId']);
}

describe('every method family works across a rotation', () => {
  it('put / head / getObjectMeta / get', async () => {
    await bucket.put('obj.txt', Buffer.from('object body'), { meta: { owner: 'tests' } } as never);
    assertRetriedOnce();
    const head = await bucket.head('obj.txt');
    expect((head.meta as Record<string, string>).owner).toBe('tests');
    const meta = await bucket.getObjectMeta('obj.txt');
    expect(meta.status).toBe(200);
    expect((await bucket.get('obj.txt')).content.toString()).toBe('object body');
  });

  it('copy / putMeta / delete / deleteMulti', async () => {
    oss.putObject(BUCKET, 'src.txt', 'copy me');
    await bucket.copy('dst.txt', 'src.txt');
    assertRetriedOnce();
    expect(oss.getObject(BUCKET, 'dst.txt')?.body.toString()).toBe('copy me');
    await bucket.putMeta('dst.txt', { color: 'blue' } as never, {}); // @types/ali-oss types user meta too narrowly
    expect(oss.getObject(BUCKET, 'dst.txt')?.meta.color).toBe('blue');
    await bucket.delete('dst.txt');
    const multi = await bucket.deleteMulti(['src.txt'], { quiet: false });
    expect(multi.deleted).toBeDefined();
    expect(oss.getObject(BUCKET, 'src.txt')).toBeUndefined();
  });

  it('append', async () => {
    const first = await bucket.append('log.txt', Buffer.from('one,'));
    assertRetriedOnce();
    await bucket.append('log.txt', Buffer.from('two'), { position: first.nextAppendPosition });
    expect(oss.getObject(BUCKET, 'log.txt')?.body.toString()).toBe('one,two');
  });

  it('list / listV2', async () => {
    oss.putObject(BUCKET, 'dir/a', 'a');
    oss.putObject(BUCKET, 'dir/b', 'b');
    const v1 = await bucket.list({ prefix: 'dir/', 'max-keys': 100 }, {});
    assertRetriedOnce();
    expect(v1.objects.map((o) => o.name)).toEqual(['dir/a', 'dir/b']);
    const v2 = await bucket.listV2({ prefix: 'dir/', 'max-keys': '1' }, {});
    expect(v2.objects).toHaveLength(1);
  });

  it('ACL, tagging and symlinks', async () => {
    oss.putObject(BUCKET, 'acl.txt', 'acl');
    await bucket.putACL('acl.txt', 'public-read');
    assertRetriedOnce();
    expect((await bucket.getACL('acl.txt')).acl).toBe('public-read');
    await bucket.putObjectTagging('acl.txt', { team: 'storage' });
    expect((await bucket.getObjectTagging('acl.txt')).tag).toEqual({ team: 'storage' });
    await bucket.deleteObjectTagging('acl.txt');
    await bucket.putSymlink('link.txt', 'acl.txt');
    expect((await bucket.getSymlink('link.txt')).targetName).toBe('acl.txt');
  });

  it('manual multipart: init / uploadPart / uploadPartCopy / listParts / listUploads / complete / abort', async () => {
    const init = await bucket.initMultipartUpload('parts.bin');
    assertRetriedOnce();
    const partOne = Buffer.alloc(100 * 1024, 'p');
    const p1 = await bucket.uploadPart('parts.bin', init.uploadId, 1, partOne, 0, partOne.length);
    oss.putObject(BUCKET, 'copy-src.bin', Buffer.alloc(10, 'c'));
    const p2 = await bucket.uploadPartCopy('parts.bin', init.uploadId, 2, '0-9', { sourceKey: 'copy-src.bin', sourceBucketName: BUCKET }, {});
    const parts = await bucket.listParts('parts.bin', init.uploadId, {} as never);
    expect(parts.parts).toHaveLength(2);
    const uploads = await bucket.listUploads({});
    expect(uploads.uploads.map((u: { uploadId: string }) => u.uploadId)).toContain(init.uploadId);
    await bucket.completeMultipartUpload('parts.bin', init.uploadId, [
      { number: 1, etag: p1.etag },
      { number: 2, etag: p2.etag },
    ]);
    expect(oss.getObject(BUCKET, 'parts.bin')?.body.length).toBe(partOne.length + 10);
    const abandoned = await bucket.initMultipartUpload('abandoned.bin');
    await bucket.abortMultipartUpload('abandoned.bin', abandoned.uploadId);
    expect(oss.listUploadIds(BUCKET)).toEqual([]);
  });

  it('buckets: listBuckets / putBucket / getBucketInfo / deleteBucket', async () => {
    await bucket.putBucket('made-by-proxy');
    assertRetriedOnce();
    const listed = (await bucket.listBuckets({})) as unknown as { buckets: { name: string }[] };
    expect(listed.buckets.map((b) => b.name)).toContain('made-by-proxy');
    const info = await bucket.getBucketInfo('made-by-proxy');
    expect(info.bucket.Name).toBe('made-by-proxy');
    await bucket.deleteBucket('made-by-proxy');
    expect(oss.listBucketNames()).not.toContain('made-by-proxy');
  });

  it('async signers use the current key', async () => {
    const pathStyle = new ProxyBucket({ secretName: 'families', cacheClient: provider, ...oss.clientOptions(BUCKET, 'path') });
    oss.putObject(BUCKET, 'signed.txt', 'signed');
    provider.current = provider.nextFetched; // no request to fail here: the cache already moved on
    const url = await pathStyle.asyncSignatureUrl('signed.txt', { expires: 60 });
    expect(new URL(url).searchParams.get('OSSAccessKeyId')).toBe(provider.current!.accessKeyId);
    expect(await (await fetch(url)).text()).toBe('signed');
    await pathStyle.shutdown();
  });
});
