import { describe, expect, it } from 'vitest';
import { callWithManagedKey, type ManagedKeyClient } from '../../src/call/call-with-managed-key.js';
import { KeyAcceptance } from '../../src/call/key-acceptance.js';
import type { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { createCache, HOUR, putRamKey, rotateRamKey, SECOND } from '../cache/cache-fixture.js';
import { ScriptedService } from './scripted-service.js';

// Issue 18's findings, each reproduced on the real cache and call core in virtual time.

const SECRET = 'oss-ak';

function throttled(): KmsError {
  return new KmsError('QPS Limit Exceeded', { code: 'Rejected.Throttling', httpStatus: 429, retryable: true, source: 'in-memory' });
}

function managedClient(cache: SecretCacheClient, extra: Partial<ManagedKeyClient> = {}): ManagedKeyClient {
  return {
    provider: cache,
    secretName: SECRET,
    client: 'ali-oss',
    isKeyRejected: (error) => (error as { code?: unknown }).code === 'InvalidAccessKeyId',
    acceptance: new KeyAcceptance(cache, SECRET),
    ...extra,
  };
}

/** Starts a call and records when it settles and how. */
function track<T>(promise: Promise<T>, clock: { monotonicNow(): number }) {
  const startedAtMs = clock.monotonicNow();
  const result: { settledAtMs?: number; value?: T; error?: unknown } = {};
  const done = promise.then(
    (value) => Object.assign(result, { value, settledAtMs: clock.monotonicNow() }),
    (error: unknown) => Object.assign(result, { error, settledAtMs: clock.monotonicNow() }),
  );
  return { startedAtMs, result, done };
}

describe('issue 18: one deadline per call', () => {
  it('#1 a caller arriving during a hanging fetch of a rejected key waits at most fetch_timeout (+ the OSS request), not twice', async () => {
    const { client: cache, store, source, clock } = createCache({ fetchTimeoutMs: 30 * SECOND });
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    const service = new ScriptedService(clock);
    service.latencyMs = 800;
    service.revoked.add('AK1'); // disabled in RAM: OSS rejects it, KMS still serves it...
    source.hold(); // ...and KMS stops answering
    const managed = managedClient(cache);
    const run = (credential: Parameters<ScriptedService['call']>[0]) => service.call(credential);
    const first = track(callWithManagedKey(managed, run, true), clock);
    await clock.advance(1000); // the first call's request was rejected at 800 ms; its refresh hangs
    const late = track(callWithManagedKey(managed, run, true), clock);
    await clock.advance(70 * SECOND);
    await Promise.all([first.done, late.done]);
    for (const call of [first, late]) {
      expect(call.result.error).toBeDefined();
      expect((call.result.settledAtMs as number) - call.startedAtMs).toBeLessThanOrEqual(30 * SECOND + 800);
    }
    // The late caller never sent a request signed with the key known to be rejected.
    expect(service.requests.filter((r) => r.sentAtMs >= late.startedAtMs)).toEqual([]);
  });

  it('#3 throttled waits end at the deadline, not after a count of rounds', async () => {
    const { client: cache, store, source, clock } = createCache({ random: () => 0 });
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    rotateRamKey(store, SECRET, 'AK2');
    source.failNext(throttled(), 7); // seven throttled answers, 1 s apart (random 0): well within 30 s
    const outcome = track(cache.refreshNow(SECRET, { staleAccessKeyId: 'AK1' }), clock);
    await clock.advance(20 * SECOND);
    await outcome.done;
    expect(outcome.result.value).toMatchObject({ changed: true });
    expect(outcome.result.value?.credential.accessKeyId).toBe('AK2');
    expect(source.callCount).toBe(1 + 8);
  });
});

describe('issue 18: a key known to be rejected is never handed out', () => {
  it('#2 a caller that joined a fetch begun before the rejection is not sent with the rejected key', async () => {
    const { client: cache, store, source, clock } = createCache();
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    const service = new ScriptedService(clock);
    source.readAtReceipt = true;
    const release = source.hold();
    // A background fetch is under way (it will answer AK1: it read KMS before the rotation)...
    void cache.refreshNow(SECRET, { staleAccessKeyId: 'AK1', suspected: true });
    expect(source.inFlight).toBe(1);
    rotateRamKey(store, SECRET, 'AK2');
    service.revoked.add('AK1');
    // ...when OSS rejects AK1 for a call; a second call arrives while the old fetch still runs.
    const managed = managedClient(cache);
    const run = (credential: Parameters<ScriptedService['call']>[0]) => service.call(credential);
    const first = track(callWithManagedKey(managed, run, false), clock);
    await clock.advance(10);
    const held = track(callWithManagedKey(managed, run, false), clock);
    await clock.advance(10);
    release(); // the old fetch answers AK1; the cache asks again and gets AK2
    await clock.advance(5 * SECOND);
    await Promise.all([first.done, held.done]);
    expect(held.result.value).toBe('ok:AK2');
    expect(service.requests.filter((r) => r.sentAtMs >= held.startedAtMs).map((r) => r.accessKeyId)).toEqual(['AK2']);
  });

  it('#4 reports of the same key during one episode do not re-mark it: 20 rejected callers cost one KMS call', async () => {
    const { client: cache, store, source, clock } = createCache();
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    const release = source.hold();
    const outcomes = [track(cache.refreshNow(SECRET, { staleAccessKeyId: 'AK1' }), clock)];
    for (let i = 1; i < 20; i++) {
      await clock.advance(5);
      outcomes.push(track(cache.refreshNow(SECRET, { staleAccessKeyId: 'AK1' }), clock));
    }
    release(); // KMS still serves AK1 (a key disabled in RAM)
    await clock.advance(900);
    await Promise.all(outcomes.map((o) => o.done));
    expect(outcomes.every((o) => o.result.value?.changed === false)).toBe(true);
    expect(source.callCount).toBe(1 + 1);
  });
});

describe('issue 18: rotations close together', () => {
  it('#6 a call retries while the key keeps changing, each key once: three rotate+revoke cycles 1 s apart, 0 errors', async () => {
    const { client: cache, store, clock } = createCache();
    putRamKey(store, SECRET, 'K1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    const service = new ScriptedService(clock);
    service.latencyMs = 700;
    const managed = managedClient(cache);
    const run = (credential: Parameters<ScriptedService['call']>[0]) => service.call(credential);
    const calls: ReturnType<typeof track<string>>[] = [];
    for (let cycle = 2; cycle <= 4; cycle++) {
      for (let i = 0; i < 50; i++) {
        calls.push(track(callWithManagedKey(managed, run, true), clock));
        await clock.advance(20);
      }
      rotateRamKey(store, SECRET, `K${cycle}`);
      service.revoked.add(`K${cycle - 1}`);
    }
    await clock.advance(30 * SECOND);
    await Promise.all(calls.map((c) => c.done));
    expect(calls.filter((c) => c.result.error !== undefined).map((c) => (c.result.error as Error).message)).toEqual([]);
  });
});

describe('issue 18: expiry is paced from the first ask', () => {
  it('#5 an answer repeating the same STS token keeps the expiry window: asks are paced 1 s growing to 30 s, never closer together', async () => {
    const { client: cache, store, source, clock } = createCache({ jitterMaxMs: 0 });
    const expiresAtMs = clock.now() + HOUR;
    store.setSecret(SECRET, {
      secretData: JSON.stringify({
        AccessKeyId: 'STS1',
        AccessKeySecret: 'secret-of-STS1-0123456789',
        SecurityToken: 'token-of-STS1',
        ExpireTimestamp: new Date(expiresAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }),
    });
    await cache.getCredential(SECRET);
    const asks: number[] = [];
    cache.on('refresh', () => asks.push(clock.now() - expiresAtMs));
    await clock.advance(HOUR - SECOND);
    const gaps = asks.slice(1).map((at, i) => at - (asks[i] as number));
    expect(asks[0]).toBe(-225 * SECOND); // the window's first half, random 0.5
    expect(asks.length).toBeGreaterThan(8);
    // Growing while more than a minute is left; in the last minute at most half the time left, so KMS is
    // asked at least twice more before expiry.
    for (let i = 1; i < gaps.length; i++) {
      if ((asks[i + 1] as number) < -60 * SECOND) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] as number);
      else expect(gaps[i]).toBeLessThanOrEqual(Math.max(SECOND, -(asks[i] as number) / 2) + 1);
    }
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(SECOND);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30 * SECOND);
    expect(source.callCount).toBe(asks.length + 1);
  });
});

describe('issue 18: a failed first load heals within 30 s', () => {
  it('#7 a non-retryable first-load error (secret created late) is retried at most 30 s apart, and refreshNow retries at once', async () => {
    const { client: cache, store, source, clock } = createCache({ backoff: { baseMs: 2000, capMs: 600_000 } });
    await expect(cache.getCredential(SECRET)).rejects.toMatchObject({ code: 'Forbidden.ResourceNotFound' });
    await clock.advance(200 * SECOND);
    putRamKey(store, SECRET, 'AK1'); // created late
    await clock.advance(31 * SECOND);
    expect(cache.peekCredential(SECRET)?.accessKeyId).toBe('AK1');

    const other = createCache();
    await expect(other.client.getCredential('late')).rejects.toMatchObject({ code: 'Forbidden.ResourceNotFound' });
    putRamKey(other.store, 'late', 'AK9');
    const calls = other.source.callCount;
    expect((await other.client.refreshNow('late')).credential.accessKeyId).toBe('AK9');
    expect(other.source.callCount).toBe(calls + 1);
    expect(source.callCount).toBeGreaterThan(1);
  });
});

describe('issue 18: errors say why recovery failed', () => {
  it('#9 a revoke under KMS throttling: the caller sees the OSS error naming Rejected.Throttling, with it as cause', async () => {
    const { client: cache, store, source, clock } = createCache();
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    const service = new ScriptedService(clock);
    service.revoked.add('AK1');
    source.goDown(throttled());
    const call = track(callWithManagedKey(managedClient(cache), (credential) => service.call(credential), true), clock);
    await clock.advance(40 * SECOND);
    await call.done;
    expect(call.result.error).toMatchObject({ code: 'InvalidAccessKeyId' });
    expect((call.result.error as Error).message).toContain('Rejected.Throttling');
    expect((call.result.error as Error).cause).toMatchObject({ code: 'Rejected.Throttling' });
  });

  it('#9 a SecretData missing AccessKeySecret after a rotation: the caller sees SecretData.MissingField', async () => {
    const { client: cache, store, clock } = createCache();
    putRamKey(store, SECRET, 'AK1');
    await cache.getCredential(SECRET);
    await clock.advance(10 * SECOND);
    store.rotate(SECRET, JSON.stringify({ AccessKeyId: 'AK2' }));
    const service = new ScriptedService(clock);
    service.revoked.add('AK1');
    const call = track(callWithManagedKey(managedClient(cache), (credential) => service.call(credential), true), clock);
    await clock.advance(5 * SECOND);
    await call.done;
    expect(call.result.error).toMatchObject({ code: 'InvalidAccessKeyId' });
    expect((call.result.error as Error).message).toContain('SecretData.MissingField');
    expect((call.result.error as { recoveryError?: unknown }).recoveryError).toMatchObject({ code: 'SecretData.MissingField' });
  });
});

describe('issue 18: shutting down one of two clients sharing a cache', () => {
  it('#10 ends the waits of its own calls at once; the shared fetch goes on for the other client', async () => {
    const { client: cache, store, source, clock } = createCache();
    putRamKey(store, SECRET, 'AK1');
    source.hold();
    const shutdown = new AbortController();
    const closing = managedClient(cache, { signal: shutdown.signal });
    const staying = managedClient(cache);
    const run = async () => 'ok';
    const mine = track(callWithManagedKey(closing, run, true), clock);
    const theirs = track(callWithManagedKey(staying, run, true), clock);
    await clock.advance(100);
    shutdown.abort(new Error('shut down'));
    await clock.advance(0);
    await mine.done;
    expect((mine.result.error as Error).message).toBe('shut down');
    expect(mine.result.settledAtMs).toBe(mine.startedAtMs + 100);
    expect(theirs.result.settledAtMs).toBeUndefined();
    expect(source.inFlight).toBe(1);
  });
});
