import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SecretErrorEvent, SecretRefreshEvent } from '../../src/cache/secret-cache-events.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { leaksIn } from '../support/secret-scanner.js';
import { flushPromises } from '../support/virtual-clock.js';
import {
  activeTimeoutCount,
  BUCKET,
  READ_TIMEOUT_MS,
  rejectionOf,
  SECRET_NAME,
  secretOf,
  Stack,
  trackUnhandledRejections,
} from './stack.js';

// Every way KMS can fail, at the first load and during a background refresh, through the whole stack
// (SecretCacheClient + ProxyBucket over real TLS and HTTP). For each: what the caller sees, that the last
// good key keeps being served, that the stack recovers once KMS heals (by the cache's own timer, or by a
// rejected call once the recovery pace allows it), that no caller waits longer than it must or keeps the
// process alive after its call settled, and that nothing is left behind (no unhandled rejection, no pending
// virtual timer after close, no extra real timer).

interface FaultCase {
  name: string;
  /** `code` of the KmsError the caller (and the cache's `error` event) sees. */
  code: string;
  retryable: boolean;
  arm(stack: Stack): void;
  disarm(stack: Stack): void;
  /** Pushes a started fetch to its failure (only needed when the failure is a timeout in virtual time). */
  drive?(stack: Stack, nextRequest: Promise<unknown>): Promise<void>;
  /** KMS throttling: paced wider and waited for by callers (its own tests below). */
  throttling?: true;
}

const OVERSIZED = 'x'.repeat(64 * 1024 + 1);

// The stack's pacing (random fixed at 0.5, backoff base 1 s cap 4 s, recovery defaults: 1 s minimum interval,
// base 1 s, cap 30 s), in virtual ms after the failed fetch's answer:
/** Retry of a failed first load: max(recovery minimum 1 s, 0.5 * min(4 s, 1 s * 2^0)). */
const DEFAULT_LOAD_RETRY_MS = 1000;
/** Retry of a failed scheduled refresh (no rejected key): max(recovery minimum 1 s, 0.5 * min(4 s, 1 s * 2^0)). */
const REFRESH_RETRY_MS = 1000;
/** Next recovery attempt after KMS failed once while the held key is rejected: 1 s + 0.5 * min(29 s, 1 s * 2^0). */
const RECOVERY_PACE_MS = 1500;
/** Longest a rejected call waits for a recovery attempt that is not due yet (recovery.minIntervalMs). */
const HOLD_MAX_MS = 1000;
/**
 * After a throttled answer (contention evidence) the next try is spread over the throttle pacing's first window:
 * 0.5 s + 0.5 * (2 s - 0.5 s) for a fresh streak (random 0.5).
 */
const THROTTLED_RETRY_MS = 1250;
/** The cache's default fetch_timeout: no caller waits longer for one fetch. */
const FETCH_TIMEOUT_MS = 30_000;
const otherPki = createTestPki({ keyLabel: 'fault-matrix-other-pki', caName: 'Impostor' });

const FAULTS: FaultCase[] = [
  {
    name: 'connections refused',
    code: 'Kms.NetworkError',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'connection reset mid-request',
    code: 'Kms.NetworkError',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'connectionReset' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: '503 ServiceUnavailableTemporary',
    code: 'ServiceUnavailableTemporary',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'serviceUnavailable' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'throttling',
    code: 'Rejected.Throttling',
    retryable: true,
    throttling: true,
    arm: (s) => s.dkms.injectFault({ kind: 'throttling' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: '500 InternalFailure',
    code: 'InternalFailure',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'internalFailure' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'slower than readTimeoutMs',
    code: 'Kms.ReadTimeout',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'latency', delayMs: Infinity }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
    drive: async (s, nextRequest) => {
      await nextRequest; // the emulator holds it
      await s.clock.advance(READ_TIMEOUT_MS);
    },
  },
  {
    name: 'TLS certificate from an untrusted CA',
    code: 'Kms.TlsVerificationFailed',
    retryable: false,
    arm: (s) => {
      s.source.current = s.otherDkmsSource({ ca: otherPki.caBundlePem });
    },
    disarm: (s) => {
      s.source.current = s.dkmsSource;
    },
  },
  {
    name: 'garbage body (proxy HTML page, 502)',
    code: 'Kms.HttpError',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'nonProtobufBody' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'garbage body with status 200',
    code: 'Kms.InvalidResponse',
    retryable: false,
    arm: (s) =>
      s.dkms.injectFault({ kind: 'nonProtobufBody', httpStatus: 200, body: '{"not":"protobuf"}', contentType: 'application/json' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'oversized body',
    code: 'Kms.ResponseTooLarge',
    retryable: false,
    arm: (s) => s.dkms.injectFault({ kind: 'nonProtobufBody', httpStatus: 200, body: OVERSIZED, contentType: 'application/x-protobuf' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
];

const unhandled = trackUnhandledRejections();
let timeoutsBefore: number;
let stack: Stack;

beforeAll(() => {
  timeoutsBefore = activeTimeoutCount();
});
afterAll(() => {
  unhandled.uninstall();
  expect(unhandled.reasons).toEqual([]);
});
beforeEach(async () => {
  stack = await Stack.start();
});
afterEach(async () => {
  await stack.stop();
  expect(unhandled.reasons).toEqual([]);
  // Real timers: the library arms none of its own (all go through the injected clock), and the emulators and
  // clients must not leave any running either.
  expect(activeTimeoutCount()).toBeLessThanOrEqual(timeoutsBefore);
});

/** Starts `action` (which makes one KMS fetch) and pushes it through the fault's `drive`, if any. */
async function withDrive<T>(fault: FaultCase, action: () => Promise<T>): Promise<T> {
  const nextRequest = stack.dkms.nextRequest();
  const running = action();
  running.catch(() => undefined); // observed below; avoid a transient unhandled state while driving
  await fault.drive?.(stack, nextRequest);
  return running;
}

function expectKmsError(error: unknown, fault: FaultCase): void {
  expect(error).toBeInstanceOf(KmsError);
  expect(error).toMatchObject({ code: fault.code, retryable: fault.retryable });
  expect(leaksIn(fault.name, error, [{ label: 'AccessKeySecret', value: secretOf('LTAI-K1') }])).toEqual([]);
}

/** The OSS attempts for `key`: [AccessKeyId, error code or status], oldest first. */
function attemptsFor(key: string): Array<[string | undefined, string | number]> {
  return stack.oss.requests.entries().filter((r) => r.key === key).map((r) => [r.accessKeyId, r.errorCode ?? r.status]);
}

describe.each(FAULTS)('KMS fault: $name', (fault) => {
  const LOAD_RETRY_MS = fault.throttling ? THROTTLED_RETRY_MS : DEFAULT_LOAD_RETRY_MS;
  it('at first load: the call rejects with the typed KmsError, nothing reaches OSS, callers fail fast, and the background retry heals it', async () => {
    fault.arm(stack);
    const failed = once(stack.cache, 'error') as Promise<[SecretErrorEvent]>;
    const error = await withDrive(fault, () => rejectionOf(stack.bucket.put('first.txt', Buffer.from('first'))));
    expectKmsError(error, fault);
    expect(stack.source.calls).toBe(1);
    expect(stack.oss.requests.entries()).toEqual([]);
    const failedAt = stack.clock.now();
    const [event] = await failed;
    expect(event).toMatchObject({ trigger: 'load', servingStale: false, consecutiveFailures: 1, retryAtMs: failedAt + LOAD_RETRY_MS });
    expect(event.error).toBe(error);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({
      state: 'failed',
      consecutiveFailures: 1,
      lastErrorCode: fault.code,
      nextRefreshAtMs: failedAt + LOAD_RETRY_MS,
    });
    expect(stack.bucket.accessKeyId).toBeUndefined();
    // One background retry is armed (unref'd); nothing holds the process once the call settled.
    expect(stack.clock.pendingTimers).toBe(1);
    expect(stack.clock.keepAliveTimers).toBe(0);

    // Until the retry succeeds, callers fail fast with the same error and cost no KMS request, even once KMS
    // healed: only the background retry asks KMS again.
    expect(await rejectionOf(stack.bucket.put('second.txt', Buffer.from('second')))).toBe(error);
    fault.disarm(stack);
    expect(await rejectionOf(stack.bucket.put('first.txt', Buffer.from('first')))).toBe(error);
    expect(stack.source.calls).toBe(1);
    expect(stack.oss.requests.entries()).toEqual([]);
    expect(stack.clock.now()).toBe(failedAt);
    expect(stack.clock.keepAliveTimers).toBe(0);

    const healed = await stack.runScheduledFetch('refresh');
    expect(healed).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K1', changed: true });
    expect(stack.clock.now()).toBe(failedAt + LOAD_RETRY_MS);
    expect(stack.source.calls).toBe(2);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'fresh', accessKeyId: 'LTAI-K1', consecutiveFailures: 0 });

    // The retry's success serves the next call, from the cache.
    await stack.bucket.put('first.txt', Buffer.from('first'));
    expect(stack.source.calls).toBe(2);
    expect(stack.oss.getObject(BUCKET, 'first.txt')?.body.toString()).toBe('first');
    expect(stack.ossKeysUsed()).toEqual(['LTAI-K1']);
    expect(stack.clock.keepAliveTimers).toBe(0);
  });
});

// Throttling is paced and waited for differently: see 'KMS throttling' below.
describe.each(FAULTS.filter((fault) => fault.throttling !== true))('KMS fault: $name', (fault) => {
  it('during a background refresh: the last good key is served, a revoked key surfaces as the OSS error, then it recovers', async () => {
    await stack.bucket.put('before.txt', Buffer.from('before'));
    fault.arm(stack);
    stack.rotateTo('LTAI-K2'); // KMS has a new key; OSS still accepts the old one for now

    const failure = await stack.runScheduledFetch('error', (next) => fault.drive?.(stack, next) ?? Promise.resolve());
    expect(failure).toMatchObject({
      trigger: 'scheduled',
      servingStale: true,
      consecutiveFailures: 1,
      retryAtMs: stack.clock.now() + REFRESH_RETRY_MS,
    });
    expectKmsError(failure.error, fault);

    // Last good key served: calls keep working with K1, without waiting for KMS.
    const kmsCalls = stack.source.calls;
    await stack.bucket.put('during.txt', Buffer.from('during'));
    expect(stack.source.calls).toBe(kmsCalls);
    expect(stack.oss.requests.last()?.accessKeyId).toBe('LTAI-K1');
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'stale', accessKeyId: 'LTAI-K1', rejectedAccessKeyIds: [] });

    // OSS now revokes K1 while KMS is still failing: nothing confirmed the rejection yet, so the forced refresh
    // asks KMS at once (one call) and fails too; the caller sees the original OSS error (not the KMS one), the
    // key stays K1, and the call was not replayed blindly.
    stack.oss.keys.revoke('LTAI-K1');
    const forcedFailure = once(stack.cache, 'error') as Promise<[SecretErrorEvent]>;
    const revoked = await withDrive(fault, () => rejectionOf(stack.bucket.put('revoked.txt', Buffer.from('revoked'))));
    expect(revoked).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(leaksIn('revoked', revoked, [{ label: 'AccessKeySecret', value: secretOf('LTAI-K1') }])).toEqual([]);
    expect(attemptsFor('revoked.txt')).toEqual([['LTAI-K1', 'InvalidAccessKeyId']]);
    expect(stack.oss.getObject(BUCKET, 'revoked.txt')).toBeUndefined();
    // K1 is held back (known rejected, and KMS has not answered since): the next request waits for KMS.
    expect(stack.bucket.accessKeyId).toBeUndefined();
    expect(stack.source.calls).toBe(kmsCalls + 1);
    const failedAt = stack.clock.now();
    const [forced] = await forcedFailure;
    // KMS failing while the held key is rejected: the recovery pace, not the regular backoff, plans the next try.
    expect(forced).toMatchObject({ trigger: 'forced', servingStale: true, consecutiveFailures: 2, retryAtMs: failedAt + RECOVERY_PACE_MS });
    expectKmsError(forced.error, fault);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({
      state: 'stale',
      accessKeyId: 'LTAI-K1',
      rejectedAccessKeyIds: ['LTAI-K1'],
      recoveryConfirmations: 1,
      nextRefreshAtMs: failedAt + RECOVERY_PACE_MS,
    });
    expect(stack.clock.keepAliveTimers).toBe(0);

    // KMS heals: the recovery timer (not a caller) re-asks KMS at the recovery pace, picks up K2, and calls
    // work again.
    fault.disarm(stack);
    const recovered = await stack.runScheduledFetch('refresh');
    expect(recovered).toMatchObject({ trigger: 'recovery', accessKeyId: 'LTAI-K2', changed: true });
    expect(stack.clock.now()).toBe(failedAt + RECOVERY_PACE_MS);
    expect(stack.source.calls).toBe(kmsCalls + 2);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({
      state: 'fresh',
      accessKeyId: 'LTAI-K2',
      consecutiveFailures: 0,
      recoveryConfirmations: 0,
    });
    await stack.bucket.put('after.txt', Buffer.from('after'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K2', status: 200 });
    expect(stack.oss.listObjectKeys(BUCKET).sort()).toEqual(['after.txt', 'before.txt', 'during.txt']);
    expect(stack.clock.keepAliveTimers).toBe(0);
  });

  it('a caller-driven recovery: with KMS healed, a rejected call refreshes once and is retried transparently once the recovery pace allows it', async () => {
    await stack.bucket.put('a.txt', Buffer.from('a'));
    fault.arm(stack);
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    await withDrive(fault, () => rejectionOf(stack.bucket.put('b.txt', Buffer.from('b'))));
    const failedAt = stack.clock.now();
    fault.disarm(stack);
    const kmsCalls = stack.source.calls;
    expect(stack.cache.getStatus(SECRET_NAME)?.nextRefreshAtMs).toBe(failedAt + RECOVERY_PACE_MS);

    // Too soon: K1 is known rejected and the next attempt is more than 1 s away, so the call fails at once,
    // without sending K1 to OSS and without a KMS call, naming why (the KMS failure is its cause).
    const paced = await rejectionOf(stack.bucket.put('b.txt', Buffer.from('b')));
    expect(paced).toMatchObject({ code: 'SecretCache.KeyRejected', cause: { code: fault.code } });
    expect((paced as Error).message).toContain(fault.code);
    expect(stack.source.calls).toBe(kmsCalls);
    expect(stack.clock.now()).toBe(failedAt);
    expect(stack.clock.keepAliveTimers).toBe(0);
    expect(stack.cache.getStatus(SECRET_NAME)?.nextRefreshAtMs).toBe(failedAt + RECOVERY_PACE_MS);

    // Within 1 s of the next attempt: the call waits for it (keeping the process alive) and only virtual time
    // ends that wait; the attempt's one KMS call brings K2 and the call is sent with it.
    await stack.clock.advance(RECOVERY_PACE_MS - HOLD_MAX_MS);
    const refreshed = once(stack.cache, 'refresh') as Promise<[SecretRefreshEvent]>;
    let settled = false;
    const put = stack.bucket.put('b.txt', Buffer.from('b'));
    const onSettled = () => {
      settled = true;
    };
    put.then(onSettled, onSettled);
    await flushPromises();
    expect(settled).toBe(false);
    expect(stack.clock.keepAliveTimers).toBe(1);
    expect(stack.source.calls).toBe(kmsCalls);
    await stack.clock.advance(failedAt + RECOVERY_PACE_MS - stack.clock.now());
    await put;
    expect(stack.clock.now()).toBe(failedAt + RECOVERY_PACE_MS);
    expect((await refreshed)[0]).toMatchObject({ trigger: 'recovery', accessKeyId: 'LTAI-K2', changed: true });
    expect(stack.source.calls - kmsCalls).toBe(1);
    expect(attemptsFor('b.txt')).toEqual([
      ['LTAI-K1', 'InvalidAccessKeyId'],
      ['LTAI-K2', 200],
    ]);
    expect(stack.oss.getObject(BUCKET, 'b.txt')?.body.toString()).toBe('b');
    expect(stack.bucket.accessKeyId).toBe('LTAI-K2');
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'fresh', accessKeyId: 'LTAI-K2' });
    expect(stack.clock.keepAliveTimers).toBe(0);
  });
});

describe('KMS throttling (HTTP 429 Rejected.Throttling)', () => {
  it('a scheduled refresh throttled: the last good key is served and the next try follows the throttle pacing', async () => {
    await stack.bucket.put('before.txt', Buffer.from('before'));
    stack.dkms.injectFault({ kind: 'throttling' }, { times: Infinity });
    const failure = await stack.runScheduledFetch('error');
    expect(failure).toMatchObject({ trigger: 'scheduled', servingStale: true, retryAtMs: stack.clock.now() + THROTTLED_RETRY_MS });
    await stack.bucket.put('during.txt', Buffer.from('during'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K1', status: 200 });
    expect(stack.clock.keepAliveTimers).toBe(0);
  });

  it('a rejected key while KMS throttles: the call waits for the next attempt (keeping the process alive) and is retried with the new key', async () => {
    await stack.bucket.put('a.txt', Buffer.from('a'));
    stack.dkms.injectFault({ kind: 'throttling' }, { times: 1 });
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    const kmsCalls = stack.source.calls;
    const failed = once(stack.cache, 'error') as Promise<[SecretErrorEvent]>;
    let settled = false;
    const put = stack.bucket.put('b.txt', Buffer.from('b'));
    const onSettled = () => {
      settled = true;
    };
    put.then(onSettled, onSettled);
    // The forced refresh asks KMS at once and is throttled: the next attempt follows the throttle pacing, and the caller waits for it.
    const [event] = await failed;
    const failedAt = stack.clock.now();
    expect(event).toMatchObject({ trigger: 'forced', retryAtMs: failedAt + THROTTLED_RETRY_MS });
    await flushPromises();
    expect(settled).toBe(false);
    expect(stack.clock.keepAliveTimers).toBe(1);
    expect(stack.source.calls - kmsCalls).toBe(1);
    await stack.clock.advance(THROTTLED_RETRY_MS);
    await put;
    expect(stack.source.calls - kmsCalls).toBe(2);
    expect(attemptsFor('b.txt')).toEqual([
      ['LTAI-K1', 'InvalidAccessKeyId'],
      ['LTAI-K2', 200],
    ]);
    expect(stack.bucket.accessKeyId).toBe('LTAI-K2');
    expect(stack.clock.keepAliveTimers).toBe(0);
  });

  it('a rejected key while KMS keeps throttling: the caller waits no longer than fetch_timeout, then sees the OSS error', async () => {
    await stack.bucket.put('a.txt', Buffer.from('a'));
    stack.dkms.injectFault({ kind: 'throttling' }, { times: Infinity });
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    const startedAt = stack.clock.now();
    let settledAt: number | undefined;
    const put = rejectionOf(stack.bucket.put('b.txt', Buffer.from('b')));
    const onSettled = () => {
      settledAt = stack.clock.now();
    };
    put.then(onSettled, onSettled);
    for (let i = 0; i < 10 && settledAt === undefined; i++) await stack.clock.advance(FETCH_TIMEOUT_MS / 10);
    expect(settledAt).toBeDefined();
    expect(settledAt).toBeLessThanOrEqual(startedAt + FETCH_TIMEOUT_MS);
    expect(await put).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(attemptsFor('b.txt')).toEqual([['LTAI-K1', 'InvalidAccessKeyId']]);
    expect(stack.clock.keepAliveTimers).toBe(0);
  });
});

describe('KMS holding the request longer than fetch_timeout (the source would wait 10 min)', () => {
  /** Replaces the suite's stack with one whose DKMS reads time out only after 10 min, and makes KMS hang. */
  async function hangingKms(): Promise<void> {
    await stack.stop();
    stack = await Stack.start({ source: { readTimeoutMs: 10 * 60_000 } });
  }
  const hang = () => stack.dkms.injectFault({ kind: 'latency', delayMs: Infinity }, { times: Infinity });

  it('at first load: the caller waits no longer than fetch_timeout, holding the process only while it waits', async () => {
    await hangingKms();
    hang();
    const startedAt = stack.clock.now();
    let settledAt: number | undefined;
    const nextRequest = stack.dkms.nextRequest();
    const put = rejectionOf(stack.bucket.put('first.txt', Buffer.from('first')));
    const onSettled = () => {
      settledAt = stack.clock.now();
    };
    put.then(onSettled, onSettled);
    await nextRequest;
    // Held open while the caller waits: by the caller's wait, and by the source's own deadline for as long as the
    // cache does not pass keepAlive: false to its fetches (sources keep the process alive by default).
    expect(stack.clock.keepAliveTimers).toBeGreaterThan(0);
    await stack.clock.advance(FETCH_TIMEOUT_MS);
    expect(settledAt).toBeDefined();
    expect(settledAt).toBeLessThanOrEqual(startedAt + FETCH_TIMEOUT_MS);
    const error = await put;
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect(stack.clock.keepAliveTimers).toBe(0);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'failed', lastErrorCode: 'Kms.FetchTimeout' });
    expect(await rejectionOf(stack.bucket.put('first.txt', Buffer.from('first')))).toBe(error);
    expect(stack.source.calls).toBe(1);

    stack.dkms.clearFaults();
    const healed = await stack.runScheduledFetch('refresh');
    expect(healed).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K1' });
    await stack.bucket.put('first.txt', Buffer.from('first'));
    expect(stack.oss.getObject(BUCKET, 'first.txt')?.body.toString()).toBe('first');
    expect(stack.clock.keepAliveTimers).toBe(0);
  });

  it('a rejected key: the forced refresh waits no longer than fetch_timeout, then the caller sees the OSS error', async () => {
    await hangingKms();
    await stack.bucket.put('a.txt', Buffer.from('a'));
    hang();
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    const startedAt = stack.clock.now();
    let settledAt: number | undefined;
    const nextRequest = stack.dkms.nextRequest();
    const put = rejectionOf(stack.bucket.put('b.txt', Buffer.from('b')));
    const onSettled = () => {
      settledAt = stack.clock.now();
    };
    put.then(onSettled, onSettled);
    await nextRequest;
    // Held open while the caller waits: by the caller's wait, and by the source's own deadline for as long as the
    // cache does not pass keepAlive: false to its fetches (sources keep the process alive by default).
    expect(stack.clock.keepAliveTimers).toBeGreaterThan(0);
    await stack.clock.advance(FETCH_TIMEOUT_MS);
    expect(settledAt).toBeDefined();
    expect(settledAt).toBeLessThanOrEqual(startedAt + FETCH_TIMEOUT_MS);
    expect(await put).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(stack.clock.keepAliveTimers).toBe(0);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'stale', accessKeyId: 'LTAI-K1', lastErrorCode: 'Kms.FetchTimeout' });

    stack.dkms.clearFaults();
    const recovered = await stack.runScheduledFetch('refresh');
    expect(recovered).toMatchObject({ trigger: 'recovery', accessKeyId: 'LTAI-K2', changed: true });
    await stack.bucket.put('b.txt', Buffer.from('b'));
    expect(stack.oss.requests.last()).toMatchObject({ key: 'b.txt', accessKeyId: 'LTAI-K2', status: 200 });
    expect(stack.clock.keepAliveTimers).toBe(0);
  });
});
