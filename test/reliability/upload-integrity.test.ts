import type OSS from 'ali-oss';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OssRequestRecord } from '../../src/testing/oss/index.js';
import { BUCKET, rejectionOf, Stack, trackUnhandledRejections } from './stack.js';

// Every upload method across a rotation with revoke (KMS has K2, OSS has just revoked K1, the cache
// still holds K1): each either stores exactly the bytes sent, or rejects (stream bodies) with
// retryWithFreshBody and stores nothing. Checked against LocalOss's objects and its request log: nothing
// stored twice, empty or truncated, and no body re-sent from a consumed stream.

const unhandled = trackUnhandledRejections();
let stack: Stack;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'upload-integrity-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  unhandled.uninstall();
  expect(unhandled.reasons).toEqual([]);
});
beforeEach(async () => {
  stack = await Stack.start();
  await stack.bucket.ready();
  expect(stack.bucket.accessKeyId).toBe('LTAI-K1');
});
afterEach(async () => {
  // Whatever happened, no upload stored an empty body (except the one test that sends an empty object;
  // copies carry no body by design).
  for (const record of stack.oss.requests.entries()) {
    const upload = record.method === 'PUT' && record.copySource === undefined;
    if (record.status === 200 && upload && record.key !== undefined && record.key !== 'empty.bin') {
      expect(record.bodyLength, `PUT ${record.key} stored ${record.bodyLength} bytes`).toBeGreaterThan(0);
    }
  }
  await stack.stop();
  expect(unhandled.reasons).toEqual([]);
});

function rotateAndRevoke(): void {
  stack.rotateTo('LTAI-K2');
  stack.oss.keys.revoke('LTAI-K1');
}

function payload(size: number): Buffer {
  return randomBytes(size);
}

function sha(bytes: Buffer | undefined): string | undefined {
  return bytes === undefined ? undefined : createHash('sha256').update(bytes).digest('hex');
}

function attemptsFor(key: string): OssRequestRecord[] {
  return stack.oss.requests.entries().filter((r) => r.key === key);
}

/** Log shape of one object: (key id, status, body bytes) per attempt. */
function attemptSummary(key: string): Array<[string | undefined, number, number]> {
  return attemptsFor(key).map((r) => [r.accessKeyId, r.status, r.bodyLength]);
}

function storedSha(key: string): string | undefined {
  return sha(stack.oss.getObject(BUCKET, key)?.body);
}

function filePath(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** A Readable that hands out `bytes` in small chunks (like a socket or a file). */
function chunked(bytes: Buffer, chunkSize = 7 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) {
        this.push(null);
        return;
      }
      this.push(bytes.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

describe('replayable uploads are retried once with the new key and store exactly the bytes sent', () => {
  it('put(Buffer)', async () => {
    const bytes = payload(64 * 1024);
    rotateAndRevoke();
    await stack.bucket.put('buffer.bin', bytes);
    expect(storedSha('buffer.bin')).toBe(sha(bytes));
    expect(attemptSummary('buffer.bin')).toEqual([
      ['LTAI-K1', 403, bytes.length],
      ['LTAI-K2', 200, bytes.length],
    ]);
  });

  it('put(Buffer) of an empty object stores it empty, once', async () => {
    rotateAndRevoke();
    await stack.bucket.put('empty.bin', Buffer.alloc(0));
    expect(stack.oss.getObject(BUCKET, 'empty.bin')?.body.length).toBe(0);
    expect(attemptSummary('empty.bin').filter(([, status]) => status === 200)).toHaveLength(1);
  });

  it('put(file path): the file is re-opened for the retry', async () => {
    const bytes = payload(80 * 1024 + 3);
    const path = filePath('put-file.bin', bytes);
    rotateAndRevoke();
    await stack.bucket.put('file.bin', path);
    expect(storedSha('file.bin')).toBe(sha(bytes));
    expect(attemptSummary('file.bin')).toEqual([
      ['LTAI-K1', 403, bytes.length],
      ['LTAI-K2', 200, bytes.length],
    ]);
  });

  it('append(Buffer) twice: positions stay right, nothing appended twice', async () => {
    const first = payload(10_000);
    const second = payload(7_000);
    rotateAndRevoke();
    const result = await stack.bucket.append('append.bin', first);
    expect(Number(result.nextAppendPosition)).toBe(first.length);
    await stack.bucket.append('append.bin', second, { position: result.nextAppendPosition });
    expect(storedSha('append.bin')).toBe(sha(Buffer.concat([first, second])));
    expect(attemptSummary('append.bin')).toEqual([
      ['LTAI-K1', 403, first.length],
      ['LTAI-K2', 200, first.length],
      ['LTAI-K2', 200, second.length],
    ]);
  });

  it('uploadPart(Buffer, start, end) inside a manual multipart upload', async () => {
    const bytes = payload(300 * 1024);
    const { uploadId } = await stack.bucket.initMultipartUpload('parts.bin');
    const part1 = await stack.bucket.uploadPart('parts.bin', uploadId, 1, bytes, 0, 150 * 1024);
    rotateAndRevoke();
    const part2 = await stack.bucket.uploadPart('parts.bin', uploadId, 2, bytes, 150 * 1024, bytes.length);
    await stack.bucket.completeMultipartUpload('parts.bin', uploadId, [
      { number: 1, etag: part1.etag },
      { number: 2, etag: part2.etag },
    ]);
    expect(storedSha('parts.bin')).toBe(sha(bytes));
    const partAttempts = attemptsFor('parts.bin').filter((r) => r.query.partNumber === '2');
    expect(partAttempts.map((r) => [r.accessKeyId, r.status, r.bodyLength])).toEqual([
      ['LTAI-K1', 403, 150 * 1024],
      ['LTAI-K2', 200, 150 * 1024],
    ]);
    expect(stack.oss.listUploadIds(BUCKET)).toEqual([]);
  });

  describe.each([
    ['Buffer', (bytes: Buffer) => bytes],
    ['file path', (bytes: Buffer) => filePath(`mpu-${bytes.length}.bin`, bytes)],
  ] as const)('multipartUpload from a %s, key revoked after the first part', (_label, source) => {
    it('resumes with the same uploadId and the finished parts, storing exactly the file', async () => {
      const bytes = payload(4 * 100 * 1024 + 12_345);
      let revoked = false;
      const result = await stack.bucket.multipartUpload('mpu.bin', source(bytes), {
        partSize: 100 * 1024,
        parallel: 1,
        progress: async (_p: number, checkpoint: unknown) => {
          if (checkpoint && !revoked) {
            revoked = true;
            rotateAndRevoke();
          }
        },
      });
      expect(result.res.status).toBe(200);
      expect(revoked).toBe(true);
      expect(storedSha('mpu.bin')).toBe(sha(bytes));
      const log = attemptsFor('mpu.bin');
      const initiations = log.filter((r) => r.method === 'POST' && 'uploads' in r.query);
      expect(initiations).toHaveLength(1);
      const uploadIds = new Set(log.map((r) => r.query.uploadId).filter((id) => id !== undefined));
      expect(uploadIds.size).toBe(1); // resumed, not restarted
      const storedParts = log.filter((r) => r.method === 'PUT' && r.status === 200).map((r) => r.query.partNumber);
      expect(storedParts).toEqual(['1', '2', '3', '4', '5']); // each part stored once, in order
      expect(log.filter((r) => r.status === 403).map((r) => r.accessKeyId)).toEqual(['LTAI-K1']);
      expect(stack.oss.listUploadIds(BUCKET)).toEqual([]); // nothing orphaned
    });
  });
});

describe.each([1, 3])('multipartUploadCopy (parallel %i), key revoked after the first copied part', (parallel) => {
  it('resumes with the same uploadId, copies no finished part again, and the copy equals the source', async () => {
    const bytes = payload(4 * 100 * 1024 + 12_345);
    stack.oss.putObject(BUCKET, 'copy-src.bin', bytes);
    const kmsCalls = stack.dkms.getSecretValueCount();
    let doneAtRevoke: number[] | undefined;
    const result = await stack.bucket.multipartUploadCopy(
      'copy-dst.bin',
      { sourceKey: 'copy-src.bin', sourceBucketName: BUCKET } as OSS.MultipartUploadCopySourceData,
      {
        partSize: 100 * 1024,
        parallel,
        // completeMultipartUpload reports (1, null) at the end.
        progress: async (_p: number, checkpoint: { doneParts: Array<{ number: number }> } | null) => {
          if (checkpoint && checkpoint.doneParts.length > 0 && doneAtRevoke === undefined) {
            doneAtRevoke = checkpoint.doneParts.map((part) => part.number);
            rotateAndRevoke();
          }
        },
      },
    );
    expect(result.res.status).toBe(200);
    expect(doneAtRevoke?.length).toBeGreaterThan(0);
    expect(storedSha('copy-dst.bin')).toBe(sha(bytes));
    expect(stack.dkms.getSecretValueCount() - kmsCalls).toBe(1);

    const log = attemptsFor('copy-dst.bin');
    expect(log.filter((r) => r.method === 'POST' && 'uploads' in r.query)).toHaveLength(1);
    const uploadIds = new Set(log.map((r) => r.query.uploadId).filter((id) => id !== undefined));
    expect(uploadIds.size).toBe(1); // resumed, not restarted
    const partCopies = log.filter((r) => r.method === 'PUT');
    expect(partCopies.every((r) => r.copySource === `/${BUCKET}/copy-src.bin`)).toBe(true);
    const copied = partCopies.filter((r) => r.status === 200).map((r) => Number(r.query.partNumber));
    expect(copied.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]); // each part copied once
    for (const part of doneAtRevoke!) {
      expect(partCopies.filter((r) => Number(r.query.partNumber) === part), `part ${part} sent again`).toHaveLength(1);
    }
    const rejected = log.filter((r) => r.status === 403);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => r.accessKeyId === 'LTAI-K1')).toBe(true);
    if (parallel === 1) expect(rejected).toHaveLength(1);
    expect(log.filter((r) => r.status === 200).at(-1)).toMatchObject({ method: 'POST', accessKeyId: 'LTAI-K2' });
    expect(stack.oss.listUploadIds(BUCKET)).toEqual([]); // nothing orphaned
  });
});

describe('stream bodies are never re-sent: the call rejects with retryWithFreshBody and stores nothing', () => {
  const cases: Array<[string, (bytes: Buffer) => Promise<unknown>, string]> = [
    ['put(Readable)', (bytes) => stack.bucket.put('s-put.bin', chunked(bytes)), 's-put.bin'],
    [
      'putStream with contentLength',
      (bytes) => stack.bucket.putStream('s-len.bin', chunked(bytes), { contentLength: bytes.length } as OSS.PutStreamOptions),
      's-len.bin',
    ],
    ['putStream chunked (no length)', (bytes) => stack.bucket.putStream('s-chunked.bin', chunked(bytes)), 's-chunked.bin'],
    ['append(Readable)', (bytes) => stack.bucket.append('s-append.bin', chunked(bytes)), 's-append.bin'],
  ];

  it.each(cases)('%s', async (_label, upload, key) => {
    const bytes = payload(50 * 1024 + 17);
    rotateAndRevoke();
    const error = await rejectionOf(upload(bytes));
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', status: 403, retryWithFreshBody: true });
    expect(stack.oss.getObject(BUCKET, key)).toBeUndefined();
    expect(attemptSummary(key)).toEqual([['LTAI-K1', 403, bytes.length]]);
    // The new key is already loaded: a second call with a fresh stream works at once, without KMS.
    const kmsCalls = stack.dkms.getSecretValueCount();
    await upload(bytes);
    expect(stack.dkms.getSecretValueCount()).toBe(kmsCalls);
    expect(storedSha(key)).toBe(sha(bytes));
    expect(attemptSummary(key)).toEqual([
      ['LTAI-K1', 403, bytes.length],
      ['LTAI-K2', 200, bytes.length],
    ]);
  });

  it('uploadPart(Readable)', async () => {
    const bytes = payload(120 * 1024);
    const { uploadId } = await stack.bucket.initMultipartUpload('s-part.bin');
    rotateAndRevoke();
    const error = await rejectionOf(stack.bucket.uploadPart('s-part.bin', uploadId, 1, chunked(bytes), 0, bytes.length));
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', retryWithFreshBody: true });
    const part = await stack.bucket.uploadPart('s-part.bin', uploadId, 1, chunked(bytes), 0, bytes.length);
    await stack.bucket.completeMultipartUpload('s-part.bin', uploadId, [{ number: 1, etag: part.etag }]);
    expect(storedSha('s-part.bin')).toBe(sha(bytes));
    const partAttempts = attemptsFor('s-part.bin').filter((r) => r.query.partNumber === '1');
    expect(partAttempts.map((r) => [r.accessKeyId, r.status, r.bodyLength])).toEqual([
      ['LTAI-K1', 403, bytes.length],
      ['LTAI-K2', 200, bytes.length],
    ]);
  });
});

describe('concurrent uploads of every kind across one rotation', () => {
  it('all replayable ones land intact, with one KMS call in total', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => payload(8 * 1024 + i));
    rotateAndRevoke();
    const kmsCalls = stack.dkms.getSecretValueCount();
    await Promise.all(
      bodies.map((bytes, i) =>
        i % 3 === 0
          ? stack.bucket.put(`c-${i}.bin`, bytes)
          : i % 3 === 1
            ? stack.bucket.put(`c-${i}.bin`, filePath(`c-${i}.bin`, bytes))
            : stack.bucket.append(`c-${i}.bin`, bytes),
      ),
    );
    expect(stack.dkms.getSecretValueCount() - kmsCalls).toBe(1);
    bodies.forEach((bytes, i) => {
      expect(storedSha(`c-${i}.bin`)).toBe(sha(bytes));
      expect(attemptsFor(`c-${i}.bin`).filter((r) => r.status === 200)).toHaveLength(1);
    });
  });
});
