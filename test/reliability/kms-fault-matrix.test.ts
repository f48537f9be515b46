import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { createTestPki } from '../../src/testing/pki/index.js';
import { leaksIn } from '../support/secret-scanner.js';
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
// good key keeps being served, that the stack recovers once KMS heals, and that nothing is left behind
// (no unhandled rejection, no pending virtual timer after close, no extra real timer).

interface FaultCase {
  name: string;
  /** `code` of the KmsError the caller (and the cache's `error` event) sees. */
  code: string;
  retryable: boolean;
  arm(stack: Stack): void;
  disarm(stack: Stack): void;
  /** Pushes a started fetch to its failure (only needed when the failure is a timeout in virtual time). */
  drive?(stack: Stack, nextRequest: Promise<unknown>): Promise<void>;
}

const OVERSIZED = 'x'.repeat(64 * 1024 + 1);
const otherPki = createTestPki({ keyLabel: 'fault-matrix-other-pki', caName: 'Impostor' });

const FAULTS: FaultCase[] = [
  {
    name: 'connections refused',
    code: 'NetworkError',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'connection reset mid-request',
    code: 'NetworkError',
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
    code: 'ReadTimeout',
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
    code: 'TlsError',
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
    code: 'Http502',
    retryable: true,
    arm: (s) => s.dkms.injectFault({ kind: 'nonProtobufBody' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'garbage body with status 200',
    code: 'InvalidResponse',
    retryable: false,
    arm: (s) =>
      s.dkms.injectFault({ kind: 'nonProtobufBody', httpStatus: 200, body: '{"not":"protobuf"}', contentType: 'application/json' }, { times: Infinity }),
    disarm: (s) => s.dkms.clearFaults(),
  },
  {
    name: 'oversized body',
    code: 'ResponseTooLarge',
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

describe.each(FAULTS)('KMS fault: $name', (fault) => {
  it('at first load: the call rejects with the typed KmsError, nothing reaches OSS, and it works once KMS heals', async () => {
    fault.arm(stack);
    const error = await withDrive(fault, () => rejectionOf(stack.bucket.put('first.txt', Buffer.from('first'))));
    expectKmsError(error, fault);
    expect(stack.oss.requests.entries()).toEqual([]);
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'failed', consecutiveFailures: 1, lastErrorCode: fault.code });
    expect(stack.bucket.accessKeyId).toBeUndefined();
    // A failed first load arms no background retry: the next caller tries again.
    expect(stack.clock.pendingTimers).toBe(0);

    fault.disarm(stack);
    await stack.bucket.put('first.txt', Buffer.from('first'));
    expect(stack.oss.getObject(BUCKET, 'first.txt')?.body.toString()).toBe('first');
    expect(stack.ossKeysUsed()).toEqual(['LTAI-K1']);
  });

  it('during a background refresh: the last good key is served, a revoked key surfaces as the OSS error, then it recovers', async () => {
    await stack.bucket.put('before.txt', Buffer.from('before'));
    fault.arm(stack);
    stack.rotateTo('LTAI-K2'); // KMS has a new key; OSS still accepts the old one for now

    const failure = await stack.runScheduledFetch('error', (next) => fault.drive?.(stack, next) ?? Promise.resolve());
    expect(failure).toMatchObject({ trigger: 'scheduled', servingStale: true, consecutiveFailures: 1 });
    expectKmsError(failure.error, fault);
    expect(failure.retryAtMs).toBeGreaterThan(stack.clock.now());

    // Last good key served: calls keep working with K1, without waiting for KMS.
    await stack.bucket.put('during.txt', Buffer.from('during'));
    expect(stack.oss.requests.last()?.accessKeyId).toBe('LTAI-K1');
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'stale', accessKeyId: 'LTAI-K1' });

    // OSS now revokes K1 while KMS is still failing: the forced refresh fails too, and the caller sees the
    // original OSS error (not the KMS one), the key stays K1, and the call was not replayed blindly.
    stack.oss.keys.revoke('LTAI-K1');
    const revoked = await withDrive(fault, () => rejectionOf(stack.bucket.put('revoked.txt', Buffer.from('revoked'))));
    expect(revoked).toMatchObject({ code: 'InvalidAccessKeyId', status: 403 });
    expect(leaksIn('revoked', revoked, [{ label: 'AccessKeySecret', value: secretOf('LTAI-K1') }])).toEqual([]);
    expect(stack.oss.getObject(BUCKET, 'revoked.txt')).toBeUndefined();
    expect(stack.bucket.accessKeyId).toBe('LTAI-K1');

    // KMS heals: the backoff retry (not a caller) picks up K2 and calls work again.
    fault.disarm(stack);
    const recovered = await stack.runScheduledFetch('refresh');
    expect(recovered).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K2', changed: true });
    expect(stack.cache.getStatus(SECRET_NAME)).toMatchObject({ state: 'fresh', consecutiveFailures: 0 });
    await stack.bucket.put('after.txt', Buffer.from('after'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K2', status: 200 });
    expect(stack.oss.listObjectKeys(BUCKET).sort()).toEqual(['after.txt', 'before.txt', 'during.txt']);
  });

  it('a caller-driven recovery: with KMS healed, the next rejected call refreshes once and is retried transparently', async () => {
    await stack.bucket.put('a.txt', Buffer.from('a'));
    fault.arm(stack);
    stack.rotateTo('LTAI-K2');
    stack.oss.keys.revoke('LTAI-K1');
    await withDrive(fault, () => rejectionOf(stack.bucket.put('b.txt', Buffer.from('b'))));
    fault.disarm(stack);
    const kmsCallsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    await stack.bucket.put('b.txt', Buffer.from('b'));
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsCallsBefore).toBe(1);
    expect(stack.oss.getObject(BUCKET, 'b.txt')?.body.toString()).toBe('b');
    expect(stack.bucket.accessKeyId).toBe('LTAI-K2');
  });
});
