import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { CredentialsProviderCache } from '../../src/credentials/credentials-provider-cache.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalOss } from '../../src/testing/index.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { StsIssuer } from './sts-issuer.js';

// Issue 20 over the real stack: an STS-style provider -> CredentialsProviderCache -> ProxyBucket -> ali-oss ->
// LocalOss, which enforces each token's expiry and revocation. One virtual clock drives the cache, the issuer's
// expirations and LocalOss's expiry checks (the signature date check is off: ali-oss dates requests in real time).

const BUCKET = 'provider-bucket';
const MINUTE = 60_000;

let oss: LocalOss;
let clock: VirtualClock;
let cache: CredentialsProviderCache | undefined;
let bucket: ProxyBucket | undefined;

async function start(lifetimeMs: number, cacheOptions: { fetchTimeoutMs?: number } = {}): Promise<StsIssuer> {
  clock = new VirtualClock(Date.now());
  oss = await LocalOss.start({ clock, buckets: [BUCKET], maxClockSkewMs: Infinity });
  const issuer = new StsIssuer([oss.keys], clock, lifetimeMs);
  cache = new CredentialsProviderCache({ credentialsProvider: issuer, clock, random: () => 0.5, ...cacheOptions });
  bucket = new ProxyBucket({ credentialsProvider: cache, ...oss.clientOptions(BUCKET) });
  return issuer;
}

afterEach(async () => {
  await bucket?.shutdown();
  await cache?.close();
  await oss?.close();
  bucket = undefined;
  cache = undefined;
});

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Settles `promise` while moving virtual time in `stepMs` steps (a caller may wait on the clock). */
async function settle<T>(promise: Promise<T>, stepMs = 100, maxSteps = 1000): Promise<Outcome<T>> {
  let outcome: Outcome<T> | undefined;
  const done = promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  for (let step = 0; step < maxSteps && outcome === undefined; step++) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2))]);
    if (outcome === undefined) await clock.advance(stepMs);
  }
  await done;
  return outcome as Outcome<T>;
}

describe('ProxyBucket over a credentials provider with expiring STS tokens', () => {
  it('across three token expirations and a revoke at OSS, 50 concurrent callers see 0 errors; the provider is asked once per token (+1 for the revoke)', async () => {
    const issuer = await start(60 * MINUTE);
    const rotations: string[] = [];
    bucket!.on('rotate', (event) => rotations.push(event.accessKeyId)); // the bucket's events cover this source
    let failures = 0;
    let round = 0;
    const wave = async () => {
      round++;
      const calls = Array.from({ length: 50 }, (_, i) => bucket!.put(`r${round}/o${i}.txt`, Buffer.from(`round ${round} caller ${i}`)));
      const outcomes = await Promise.allSettled(calls);
      failures += outcomes.filter((o) => o.status === 'rejected').length;
    };
    // Three token lifetimes and a half, a wave of 50 calls every 15 virtual minutes; the token in use is
    // revoked at OSS half-way (an emergency revoke, not an expiry).
    for (let elapsed = 0; elapsed <= 210 * MINUTE; elapsed += 15 * MINUTE) {
      if (elapsed === 90 * MINUTE) oss.keys.revoke(issuer.current);
      await wave();
      await clock.advance(15 * MINUTE);
    }
    expect(failures).toBe(0);
    // Tokens: the first, one ahead of each of the three expirations, one after the revoke.
    expect(issuer.calls).toBe(5);
    expect(issuer.issued.length).toBe(5);
    expect(rotations).toEqual(issuer.issued.slice(1).map((token) => token.accessKeyId));
    const log = oss.requests.entries();
    expect(log.filter((r) => r.errorCode === 'SecurityTokenExpired')).toEqual([]); // never sent past its expiry
    // Only the wave that met the revoke saw it, and each of its calls at most once.
    expect(log.filter((r) => r.errorCode === 'InvalidAccessKeyId').length).toBeLessThanOrEqual(50);
    expect(log.filter((r) => r.status === 200).length).toBe(round * 50);
  });

  it('ali-oss #1363: requests issued while a refresh runs wait for it instead of going out with the expired token', async () => {
    // The refresh of the expiring token outlasts the token (a slow STS): the calls made after the expiry wait.
    const issuer = await start(10 * MINUTE, { fetchTimeoutMs: 10 * MINUTE });
    await bucket!.put('before.txt', Buffer.from('before'));
    const first = issuer.current;
    issuer.hold();
    await clock.advance(10 * MINUTE + 1000); // the refresh ahead of expiry started (held); the token expired
    expect(issuer.calls).toBe(2);
    const sentBefore = oss.requests.entries().length;
    const during = Array.from({ length: 20 }, (_, i) => bucket!.put(`during-${i}.txt`, Buffer.from(`during ${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(oss.requests.entries().length).toBe(sentBefore); // nothing sent with the expired token
    issuer.release();
    const outcomes = await Promise.allSettled(during);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const sent = oss.requests.entries().slice(sentBefore);
    expect(sent.filter((r) => r.accessKeyId === first)).toEqual([]);
    expect(sent.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(issuer.calls).toBe(2);
  });

  it('ali-oss #1363 with a token OSS expires early (clock skew): one rejection, one ask, the calls made meanwhile never use it', async () => {
    const issuer = await start(10 * MINUTE);
    issuer.reportedLateByMs = 30 * MINUTE; // the provider thinks its tokens last longer than OSS does
    await bucket!.put('before.txt', Buffer.from('before'));
    const expired = issuer.current;
    await clock.advance(10 * MINUTE + 1000);
    issuer.hold();
    const first = bucket!.put('first.txt', Buffer.from('first')); // SecurityTokenExpired -> forced refresh (held)
    while (issuer.calls < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const sentBefore = oss.requests.entries().length;
    const later = Array.from({ length: 20 }, (_, i) => bucket!.put(`later-${i}.txt`, Buffer.from(`later ${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(oss.requests.entries().length).toBe(sentBefore);
    issuer.release();
    const outcomes = await Promise.allSettled([first, ...later]);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const log = oss.requests.entries();
    expect(log.filter((r) => r.errorCode === 'SecurityTokenExpired').map((r) => r.key)).toEqual(['first.txt']);
    expect(log.slice(sentBefore).filter((r) => r.accessKeyId === expired)).toEqual([]);
    expect(issuer.calls).toBe(2);
  });
});

describe('a failing provider', () => {
  it('that throws: the first call fails with its error as cause, the next ones fast, and it heals in the background', async () => {
    const issuer = await start(60 * MINUTE);
    const boom = Object.assign(new Error('metadata service unreachable'), { code: 'ECONNREFUSED' });
    issuer.failWith = boom;
    const outcome = await settle(bucket!.put('a.txt', Buffer.from('a')));
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: Error & { code?: string; cause?: unknown } }).error;
    expect(error).toMatchObject({ name: 'KmsError', code: 'Kms.CredentialsProviderFailed', retryable: true });
    expect(error.cause).toBe(boom);
    expect(error.message).toContain('getCredentials() failed (ECONNREFUSED)');
    const callsAfterFirst = issuer.calls;
    await expect(bucket!.put('b.txt', Buffer.from('b'))).rejects.toMatchObject({ code: 'Kms.CredentialsProviderFailed' });
    expect(issuer.calls).toBe(callsAfterFirst); // failed fast: no second ask on the call path
    issuer.failWith = undefined;
    await clock.advance(30_000); // the background retry (at most 30 s away) heals it
    expect(issuer.calls).toBe(callsAfterFirst + 1);
    await bucket!.put('c.txt', Buffer.from('c'));
    expect(oss.getObject(BUCKET, 'c.txt')?.body.toString()).toBe('c');
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('that hangs: the call ends at fetch_timeout (30 s) with Kms.FetchTimeout; it heals once the provider answers', async () => {
    const issuer = await start(60 * MINUTE);
    issuer.hang = true;
    const startedAt = clock.monotonicNow();
    const outcome = await settle(bucket!.put('a.txt', Buffer.from('a')), 1000);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'KmsError', code: 'Kms.FetchTimeout' } });
    expect(clock.monotonicNow() - startedAt).toBeLessThanOrEqual(31_000);
    expect((outcome as { error: Error }).error.message).toContain('credentialsProvider(getCredentials()) gave no answer within');
    issuer.hang = false;
    await clock.advance(30_000);
    const healed = await settle(bucket!.put('b.txt', Buffer.from('b')));
    expect(healed.ok).toBe(true);
  });

  it('that keeps answering with a key OSS rejects: the error names the credentials provider, not KMS', async () => {
    await start(60 * MINUTE);
    const key = { accessKeyId: 'AKSTATIC1', accessKeySecret: 'static-secret-1' };
    oss.keys.add(key);
    const own = new CredentialsProviderCache({ credentialsProvider: { getCredentials: async () => ({ ...key }) }, clock, random: () => 0.5 });
    const staticBucket = new ProxyBucket({ credentialsProvider: own, ...oss.clientOptions(BUCKET) });
    try {
      await staticBucket.put('a.txt', Buffer.from('a'));
      oss.keys.disable(key.accessKeyId); // disabled in RAM: the provider still hands it out
      const outcome = await settle(staticBucket.put('b.txt', Buffer.from('b')));
      const error = (outcome as { error: Error & { code?: string } }).error;
      expect(error.code).toBe('InvalidAccessKeyId');
      expect(error.message).toContain('the credentials provider still serves this AccessKey');
      expect(error.message).not.toContain('KMS still serves');
      expect(error.message).not.toContain(key.accessKeySecret);
    } finally {
      await staticBucket.shutdown();
      await own.close();
    }
  });

  it('that fails after a good answer: the last good token is served until it expires, asks are paced', async () => {
    const issuer = await start(10 * MINUTE);
    await bucket!.put('a.txt', Buffer.from('a'));
    issuer.failWith = new Error('sts down');
    await clock.advance(9 * MINUTE); // past the refresh point: the refresh failed, retried at the recovery pace
    const callsBefore = issuer.calls;
    expect(callsBefore).toBeGreaterThan(1);
    await bucket!.put('b.txt', Buffer.from('b')); // still the good token
    expect(oss.requests.last()).toMatchObject({ status: 200, accessKeyId: 'STS.token-1' });
    await clock.advance(30_000);
    expect(issuer.calls - callsBefore).toBeLessThanOrEqual(30); // at most one ask a second
  });
});

describe('bodies across token changes', () => {
  it('a long multipart upload across two token changes completes, each part sent once', async () => {
    const issuer = await start(10 * MINUTE);
    const partSize = 100 * 1024;
    const body = Buffer.alloc(partSize * 6, 7);
    let parts = 0;
    await bucket!.multipartUpload('big.bin', body, {
      partSize,
      parallel: 1,
      progress: async () => {
        parts++;
        // Every second part takes 6 virtual minutes: the token changes twice during the upload.
        if (parts % 2 === 0) await clock.advance(6 * MINUTE);
      },
    });
    expect(oss.getObject(BUCKET, 'big.bin')?.body.equals(body)).toBe(true);
    const uploads = oss.requests.entries().filter((r) => r.method === 'PUT' && r.query.partNumber !== undefined);
    expect(uploads.map((r) => r.query.partNumber)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(uploads.every((r) => r.status === 200)).toBe(true);
    expect(new Set(uploads.map((r) => r.accessKeyId)).size).toBeGreaterThanOrEqual(3);
    expect(issuer.calls).toBeGreaterThanOrEqual(3);
  });

  it('a multipart upload whose token is revoked mid-way resumes: no finished part is uploaded again', async () => {
    const issuer = await start(60 * MINUTE);
    const partSize = 100 * 1024;
    const body = Buffer.alloc(partSize * 6, 9);
    let parts = 0;
    await bucket!.multipartUpload('revoked.bin', body, {
      partSize,
      parallel: 1,
      progress: async () => {
        parts++;
        if (parts === 3) oss.keys.revoke(issuer.current);
      },
    });
    expect(oss.getObject(BUCKET, 'revoked.bin')?.body.equals(body)).toBe(true);
    const accepted = oss.requests.entries().filter((r) => r.method === 'PUT' && r.query.partNumber !== undefined && r.status === 200);
    expect(accepted.map((r) => r.query.partNumber).sort()).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(issuer.calls).toBe(2);
  });

  it('a stream body is never resent: the call is rejected, marked retryWithFreshBody, nothing stored', async () => {
    const issuer = await start(60 * MINUTE);
    await bucket!.put('warm.txt', Buffer.from('warm'));
    oss.keys.revoke(issuer.current);
    const stream = Readable.from([Buffer.from('chunk-1 '), Buffer.from('chunk-2')]);
    const outcome = await settle(bucket!.putStream('stream.txt', stream));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'InvalidAccessKeyId', retryWithFreshBody: true } });
    expect(oss.requests.entries().filter((r) => r.key === 'stream.txt').length).toBe(1);
    expect(oss.getObject(BUCKET, 'stream.txt')).toBeUndefined();
    expect(issuer.calls).toBe(2); // the key was replaced (for the next call), the stream not replayed
    await bucket!.putStream('stream.txt', Readable.from([Buffer.from('fresh body')]));
    expect(oss.getObject(BUCKET, 'stream.txt')?.body.toString()).toBe('fresh body');
  });
});
