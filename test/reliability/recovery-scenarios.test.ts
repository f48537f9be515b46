import { afterEach, describe, expect, it } from 'vitest';
import { BUCKET, rejectionOf, SECRET_NAME, secretOf, Stack } from './stack.js';

// The unhappy paths of issue 11 over the real stack (LocalDkms over TLS -> DkmsSecretSource -> SecretCacheClient
// -> ProxyBucket -> ali-oss -> LocalOss), with the cache and KMS on one virtual clock: pacing is measured in
// virtual seconds, and a caller that waits for a paced attempt only proceeds when the test moves time.

let stack: Stack;
afterEach(async () => {
  await stack?.stop();
});

/** Settles `promise` while moving virtual time in `stepMs` steps (a paced caller may be waiting on the clock). */
async function settle<T>(promise: Promise<T>, stepMs = 100, maxSteps = 100): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  const done = promise.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  for (let step = 0; step < maxSteps && outcome === undefined; step++) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5))]);
    if (outcome === undefined) await stack.clock.advance(stepMs);
  }
  await done;
  return outcome as NonNullable<typeof outcome>;
}

describe('recovery over the real stack', () => {
  it('a key disabled in RAM before KMS rotates: paced KMS calls meanwhile, calls succeed again right after the rotation', async () => {
    stack = await Stack.start();
    await stack.bucket.put('warm.txt', Buffer.from('warm'));
    stack.oss.keys.disable('LTAI-K1');
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    const startMs = stack.clock.now();
    // A caller every 250 virtual ms for 10 virtual seconds; every call fails meanwhile: with the OSS error
    // when KMS has confirmed K1 since the last rejection, else at once, without sending the known-rejected key.
    const codes = new Set<unknown>();
    while (stack.clock.now() - startMs < 10_000) {
      const outcome = await settle(stack.bucket.put('x.txt', Buffer.from('x')));
      expect(outcome.ok).toBe(false);
      codes.add(((outcome as { error: unknown }).error as { code?: unknown }).code);
      await stack.clock.advance(250);
    }
    expect([...codes].every((code) => code === 'InvalidAccessKeyId' || code === 'SecretCache.KeyRejected')).toBe(true);
    const elapsedS = (stack.clock.now() - startMs) / 1000;
    const kmsCalls = stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore;
    expect(kmsCalls).toBeGreaterThanOrEqual(2); // recovery keeps asking...
    expect(kmsCalls).toBeLessThanOrEqual(elapsedS); // ...at most once per second
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'recovering', rejectedAccessKeyIds: ['LTAI-K1'] });

    // The operator rotates the secret: calls succeed again within 5 virtual seconds.
    stack.rotateTo('LTAI-K2');
    const rotatedAt = stack.clock.now();
    let recoveredAt: number | undefined;
    while (recoveredAt === undefined && stack.clock.now() - rotatedAt <= 30_000) {
      const outcome = await settle(stack.bucket.put('y.txt', Buffer.from('y')));
      if (outcome.ok) recoveredAt = stack.clock.now();
      else await stack.clock.advance(250);
    }
    expect(recoveredAt).toBeDefined();
    expect((recoveredAt as number) - rotatedAt).toBeLessThanOrEqual(5000);
    expect(stack.oss.getObject(BUCKET, 'y.txt')?.body.toString()).toBe('y');
    expect(stack.clock.keepAliveTimers).toBe(0);
  });

  it('a new key OSS accepts late: errors only until it is accepted, and the next rotation is not locked out', async () => {
    stack = await Stack.start();
    await stack.bucket.put('warm.txt', Buffer.from('warm'));
    stack.oss.keys.add({ accessKeyId: 'LTAI-K2', accessKeySecret: secretOf('LTAI-K2'), acceptAfterMs: Infinity });
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    // OSS rejects K2 for now: every call fails, however often it is tried.
    for (let i = 0; i < 12; i++) {
      const outcome = await settle(stack.bucket.put('x.txt', Buffer.from('x')));
      expect(outcome.ok).toBe(false);
      await stack.clock.advance(250);
    }
    expect(stack.cache.getStatus(SECRET_NAME)?.rejectedAccessKeyIds).toContain('LTAI-K2');

    stack.oss.keys.activate('LTAI-K2'); // propagation done
    // Calls work again as soon as KMS next confirms K2 (the recovery pace, a few seconds here): K2 then goes
    // out although it was marked, OSS accepts it, and the cache forgets the mark.
    const activatedAt = stack.clock.now();
    let acceptedAt: number | undefined;
    while (acceptedAt === undefined && stack.clock.now() - activatedAt <= 35_000) {
      const outcome = await settle(stack.bucket.put('after.txt', Buffer.from('after')));
      if (outcome.ok) acceptedAt = stack.clock.now();
      else await stack.clock.advance(250);
    }
    expect(acceptedAt).toBeDefined();
    expect((acceptedAt as number) - activatedAt).toBeLessThanOrEqual(10_000);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'fresh', recoveryConfirmations: 0 });
    expect(stack.cache.getStatus(SECRET_NAME)?.rejectedAccessKeyIds).not.toContain('LTAI-K2');

    // An ordinary rotation with revoke right after: 0 errors, one KMS call for 20 concurrent calls.
    stack.rotateTo('LTAI-K3');
    stack.oss.keys.revoke('LTAI-K2');
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => settle(stack.bucket.put(`r${i}.txt`, Buffer.from(`r${i}`)))));
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBe(1);
  });

  it('403s without a code cost at most the recovery pace and do not delay a real rotation', async () => {
    stack = await Stack.start();
    await stack.bucket.put('forbidden.txt', Buffer.from('not for you'));
    stack.oss.setAccessDenied(BUCKET, 'forbidden.txt');
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    for (let i = 0; i < 20; i++) {
      const error = await rejectionOf(stack.bucket.getStream('forbidden.txt'));
      expect(error).toMatchObject({ status: 403 });
      await stack.clock.advance(50);
    }
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBeLessThanOrEqual(3);
    expect(stack.cache.getStatus(SECRET_NAME)?.rejectedAccessKeyIds).toEqual([]);

    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    const outcome = await settle(stack.bucket.put('after.txt', Buffer.from('after')));
    expect(outcome.ok).toBe(true);
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K2', status: 200 });
  });

  it('a call spanning two revocations joins the fetch of the next key instead of being told to use a revoked one', async () => {
    stack = await Stack.start();
    await stack.bucket.put('warm.txt', Buffer.from('warm'));
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    await stack.bucket.put('a.txt', Buffer.from('a')); // rejected with K1, retried with K2
    expect(stack.bucket.accessKeyId).toBe('LTAI-K2');

    stack.rotateTo('LTAI-K3');
    stack.oss.keys.revoke('LTAI-K2');
    stack.dkms.injectFault({ kind: 'latency', delayMs: 500 }); // KMS answers slowly: the K3 fetch stays open
    const withK2 = stack.bucket.put('b.txt', Buffer.from('b')); // rejected with K2 -> fetch of K3
    await stack.dkms.nextRequest();
    // A call that was signed with K1 long ago reports it now: K2 is held but itself rejected.
    const late = stack.cache.refreshNow(SECRET_NAME, { staleAccessKeyId: 'LTAI-K1' });
    const [b, outcome] = await Promise.all([settle(withK2), settle(late)]);
    expect(b.ok).toBe(true);
    expect(outcome).toMatchObject({ ok: true, value: { changed: true, via: 'joined' } });
    expect((outcome as { value: { credential: { accessKeyId: string } } }).value.credential.accessKeyId).toBe('LTAI-K3');
    expect(stack.oss.getObject(BUCKET, 'b.txt')?.body.toString()).toBe('b');
  });

  it('an STS-bearing secret is refreshed ahead of its ExpireTimestamp and never used past it', async () => {
    stack = await Stack.start();
    const sts = (id: string, expiresAtMs: number) =>
      JSON.stringify({
        AccessKeyId: id,
        AccessKeySecret: secretOf(id),
        SecurityToken: `token-${id}`,
        ExpireTimestamp: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    const now = stack.clock.now();
    stack.dkms.setSecret(SECRET_NAME, { secretType: 'Generic', secretData: sts('STS-A', now + 15 * 60_000) });
    stack.oss.keys.add({ accessKeyId: 'STS-A', accessKeySecret: secretOf('STS-A'), securityToken: 'token-STS-A' });
    stack.oss.keys.add({ accessKeyId: 'STS-B', accessKeySecret: secretOf('STS-B'), securityToken: 'token-STS-B' });
    await stack.bucket.put('a.txt', Buffer.from('a'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'STS-A', status: 200 });

    stack.dkms.setSecret(SECRET_NAME, { secretType: 'Generic', secretData: sts('STS-B', now + 75 * 60_000) });
    await stack.clock.advance(14 * 60_000); // inside the last 5 minutes: the refresh ahead of expiry has run
    expect(stack.cache.peekCredential(SECRET_NAME)?.accessKeyId).toBe('STS-B');
    await stack.bucket.put('b.txt', Buffer.from('b'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'STS-B', status: 200 });
  });
});

describe('suspicions among successful calls', () => {
  it('403s without a code between successful calls with the same key stay at the suspicion pace', async () => {
    stack = await Stack.start();
    await stack.bucket.put('forbidden.txt', Buffer.from('not for you'));
    stack.oss.setAccessDenied(BUCKET, 'forbidden.txt');
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    for (let i = 0; i < 20; i++) {
      await stack.bucket.put(`ok-${i}.txt`, Buffer.from('ok')); // the key works...
      expect(await rejectionOf(stack.bucket.getStream('forbidden.txt'))).toMatchObject({ status: 403 }); // ...this object does not
      await stack.clock.advance(100);
    }
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBeLessThanOrEqual(2);
  });
});

describe('calls arriving while a rejected key is being replaced', () => {
  it('wait for the running refresh instead of going out with the rejected key', async () => {
    stack = await Stack.start();
    await stack.bucket.put('warm.txt', Buffer.from('warm'));
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    stack.dkms.injectFault({ kind: 'latency', delayMs: 500 }); // the refresh stays open for 500 virtual ms
    const first = stack.bucket.put('first.txt', Buffer.from('first')); // rejected with K1 -> refresh
    await stack.dkms.nextRequest();
    const requestsBefore = stack.oss.requests.entries().length;
    const later = Array.from({ length: 10 }, (_, i) => stack.bucket.put(`later-${i}.txt`, Buffer.from(`later ${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stack.oss.requests.entries().length).toBe(requestsBefore); // held: nothing sent with the revoked key
    const outcomes = await Promise.all([first, ...later].map((call) => settle(call)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const sentLater = stack.oss.requests.entries().slice(requestsBefore);
    expect(sentLater.filter((r) => r.accessKeyId === 'LTAI-K1')).toEqual([]);
    expect(sentLater.filter((r) => r.key?.startsWith('later-')).every((r) => r.status === 200)).toBe(true);
  });

  it('go out with the held key when the refresh brings nothing better (a hold never waits for a key that never comes)', async () => {
    stack = await Stack.start();
    await stack.bucket.put('warm.txt', Buffer.from('warm'));
    stack.oss.keys.disable('LTAI-K1'); // KMS has nothing better
    stack.dkms.injectFault({ kind: 'latency', delayMs: 500 });
    const first = settle(stack.bucket.put('first.txt', Buffer.from('first')));
    await stack.dkms.nextRequest();
    const later = settle(stack.bucket.put('later.txt', Buffer.from('later')));
    const [a, b] = await Promise.all([first, later]);
    expect(a.ok).toBe(false);
    expect(b).toMatchObject({ ok: false, error: { code: 'InvalidAccessKeyId' } });
    expect(stack.clock.keepAliveTimers).toBe(0);
  });
});
