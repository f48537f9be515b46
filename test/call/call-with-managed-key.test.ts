import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { callWithManagedKey, type ManagedKeyAttempt, type ManagedKeyClient } from '../../src/call/call-with-managed-key.js';
import { KeyAcceptance } from '../../src/call/key-acceptance.js';
import { MANAGED_CALL_CHANNELS, type ManagedCallRetryEvent } from '../../src/call/managed-call-events.js';
import type { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { createCache, putRamKey, rotateRamKey } from '../cache/cache-fixture.js';

/** A service that rejects revoked AccessKeyIds with a coded error, as OSS or the OpenAPI gateway do. */
class FakeService {
  readonly revoked = new Set<string>();
  readonly signedWith: string[] = [];

  async call(credential: AccessKeyCredential): Promise<string> {
    this.signedWith.push(credential.accessKeyId);
    if (this.revoked.has(credential.accessKeyId)) {
      throw Object.assign(new Error(`key ${credential.accessKeyId} rejected`), { code: 'InvalidAccessKeyId', status: 403 });
    }
    return `ok:${credential.accessKeyId}`;
  }
}

const SECRET = 'app-key';
const isRejected = (error: unknown) => (error as { code?: unknown }).code === 'InvalidAccessKeyId';

async function setup() {
  const fixture = createCache();
  putRamKey(fixture.store, SECRET, 'LTAIold');
  const service = new FakeService();
  const attempts: number[] = [];
  type Overrides = Partial<ManagedKeyClient> & { run?: ManagedKeyAttempt<string>; canReplay?: boolean | ((error: unknown) => boolean) };
  const call = (overrides: Overrides = {}): Promise<string> => {
    const { run, canReplay, ...clientOverrides } = overrides;
    const defaultRun: ManagedKeyAttempt<string> = (credential, attempt) => {
      attempts.push(attempt);
      return service.call(credential);
    };
    const managed: ManagedKeyClient = {
      provider: fixture.client,
      secretName: SECRET,
      client: 'tea',
      isKeyRejected: isRejected,
      ...clientOverrides,
    };
    return callWithManagedKey<string>(managed, run ?? defaultRun, canReplay ?? true);
  };
  return { ...fixture, service, attempts, call };
}

const retryEvents: ManagedCallRetryEvent[] = [];
const onRetry = (message: unknown) => retryEvents.push(message as ManagedCallRetryEvent);
subscribe(MANAGED_CALL_CHANNELS.retry, onRetry);
afterEach(() => {
  retryEvents.length = 0;
});
process.on('exit', () => unsubscribe(MANAGED_CALL_CHANNELS.retry, onRetry));

describe('callWithManagedKey', () => {
  it('loads the key on the first call, then runs with the loaded key without asking KMS again', async () => {
    const { call, source, attempts } = await setup();
    expect(await call()).toBe('ok:LTAIold');
    expect(await call()).toBe('ok:LTAIold');
    expect(source.callCount).toBe(1);
    expect(attempts).toEqual([0, 0]);
  });

  it('after a rotation and revoke, refreshes once and runs attempt 1 with the new key', async () => {
    const { call, source, store, service, attempts } = await setup();
    await call();
    rotateRamKey(store, SECRET, 'LTAInew');
    service.revoked.add('LTAIold');
    expect(await call()).toBe('ok:LTAInew');
    expect(service.signedWith).toEqual(['LTAIold', 'LTAIold', 'LTAInew']);
    expect(attempts).toEqual([0, 0, 1]);
    expect(source.callCount).toBe(2);
    expect(retryEvents).toEqual([{ secretName: SECRET, client: 'tea', outcome: 'retried' }]);
  });

  it('50 concurrent calls across a revoke share one KMS call and all succeed', async () => {
    const { call, source, store, service } = await setup();
    await call();
    rotateRamKey(store, SECRET, 'LTAInew');
    service.revoked.add('LTAIold');
    const results = await Promise.all(Array.from({ length: 50 }, () => call()));
    expect(new Set(results)).toEqual(new Set(['ok:LTAInew']));
    expect(source.callCount).toBe(2);
  });

  it('when KMS still serves the rejected key, rethrows the service error without a second attempt', async () => {
    const { call, service, attempts } = await setup();
    await call();
    service.revoked.add('LTAIold');
    await expect(call()).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    expect(attempts).toEqual([0, 0]);
    expect(retryEvents.map((event) => event.outcome)).toEqual(['key-unchanged']);
  });

  it('a call that cannot be replayed is not run again and its error says a fresh body will work', async () => {
    const { call, store, service, attempts } = await setup();
    await call();
    rotateRamKey(store, SECRET, 'LTAInew');
    service.revoked.add('LTAIold');
    const error = (await call({ canReplay: false }).catch((e: unknown) => e)) as Error & { retryWithFreshBody?: boolean };
    expect(error.retryWithFreshBody).toBe(true);
    expect(error.message).toContain('call again with a fresh stream');
    expect(attempts).toEqual([0, 0]);
    // The cache did load the new key: the next call works at once.
    expect(await call()).toBe('ok:LTAInew');
    expect(retryEvents.map((event) => event.outcome)).toEqual(['not-replayable']);
  });

  it('canReplay may judge the error: the judge sees the service error and decides the retry', async () => {
    const { call, store, service } = await setup();
    await call();
    rotateRamKey(store, SECRET, 'LTAInew');
    service.revoked.add('LTAIold');
    const judged: unknown[] = [];
    const result = await call({ canReplay: (error) => (judged.push(error), true) });
    expect(result).toBe('ok:LTAInew');
    expect(judged).toHaveLength(1);
    expect(judged[0]).toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('an error not judged a rejected key is rethrown without asking KMS', async () => {
    const { call, source } = await setup();
    await call();
    const denied = Object.assign(new Error('AccessDenied'), { code: 'AccessDenied' });
    await expect(call({ run: () => Promise.reject(denied) })).rejects.toBe(denied);
    expect(source.callCount).toBe(1);
    expect(retryEvents).toEqual([]);
  });

  it('a judge that throws counts as "not rejected": the original error comes back', async () => {
    const { call, source, service } = await setup();
    await call();
    service.revoked.add('LTAIold');
    const judge = () => {
      throw new Error('judge bug');
    };
    await expect(call({ isKeyRejected: judge })).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    expect(source.callCount).toBe(1);
  });

  it('after the adapter is closed a rejected key is not refreshed', async () => {
    const { call, source, service } = await setup();
    await call();
    service.revoked.add('LTAIold');
    await expect(call({ isClosed: () => true })).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    expect(source.callCount).toBe(1);
  });

  it('signedWith names the key that signed the failed request: a newer held key is used without a KMS call', async () => {
    const { call, client, source, store, service } = await setup();
    await call();
    rotateRamKey(store, SECRET, 'LTAInew');
    await client.refreshNow(SECRET); // the cache already holds the new key
    service.revoked.add('LTAIold');
    const callsBefore = source.callCount;
    let first = true;
    const result = await call({
      // The first attempt signs with the old key although the new one is loaded (a request in flight).
      run: (credential: AccessKeyCredential) => {
        const signing = first ? { ...credential, accessKeyId: 'LTAIold' } : credential;
        first = false;
        return service.call(signing as AccessKeyCredential);
      },
      signedWith: () => 'LTAIold',
    });
    expect(result).toBe('ok:LTAInew');
    expect(source.callCount).toBe(callsBefore);
  });

  it('a suspected rejection reaches the cache as suspected: the key is not marked rejected', async () => {
    const { call, events, service } = await setup();
    await call();
    service.revoked.add('LTAIold');
    await expect(call({ isSuspected: () => true })).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    expect(events.reject).toHaveLength(1);
    expect(events.reject[0]).toMatchObject({ accessKeyId: 'LTAIold', suspected: true });
  });

  it('arms the acceptance watch when KMS had nothing newer; the next success with that key is reported once', async () => {
    const { call, client, service } = await setup();
    await call();
    const reported: string[] = [];
    const acceptance = new KeyAcceptance(
      {
        getCredential: (name) => client.getCredential(name),
        peekCredential: (name) => client.peekCredential(name),
        refreshNow: (name, options) => client.refreshNow(name, options),
        reportKeyAccepted: (_name, accessKeyId) => reported.push(accessKeyId),
      },
      SECRET,
    );
    service.revoked.add('LTAIold');
    await expect(call({ acceptance })).rejects.toMatchObject({ code: 'InvalidAccessKeyId' });
    acceptance.succeeded('LTAIother');
    expect(reported).toEqual([]);
    acceptance.succeeded('LTAIold');
    acceptance.succeeded('LTAIold');
    expect(reported).toEqual(['LTAIold']);
  });
});
