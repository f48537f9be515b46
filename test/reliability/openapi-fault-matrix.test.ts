import { once } from 'node:events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/index.js';
import type { SecretErrorEvent, SecretRefreshEvent } from '../../src/cache/secret-cache-events.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { OpenApiSecretSource } from '../../src/kms/openapi/index.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalKms, type LocalKmsFault } from '../../src/testing/kms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { leaksIn } from '../support/secret-scanner.js';
import { rejectionOf, secretOf, trackUnhandledRejections } from './stack.js';

// The same matrix for the KMS OpenAPI path (shared gateway, RAM AccessKey auth through the real SDK), at
// first load and during a background refresh, through SecretCacheClient + ProxyBucket. The SDK runs on real
// time, so the timeout case uses a 250 ms read budget against a server holding the request (in the
// emulator's own virtual time, released at stop). The cache runs on a virtual clock: its retries only fire
// when a test moves it, and no caller's wait may outlive its call (`clock.keepAliveTimers`).

const SECRET = 'oss-ram-ak';
const BUCKET = 'openapi-faults';
const READER = { accessKeyId: 'LTAI-kms-reader', accessKeySecret: 'kms-reader-secret-Ty6Ui9Op2' };

interface FaultCase {
  name: string;
  fault: LocalKmsFault;
  code: string;
  retryable: boolean;
  /** Retry of a failed first load or scheduled refresh when it differs from the defaults below. */
  retryMs?: { load: number; refresh: number };
}
const FAULTS: FaultCase[] = [
  { name: '503', fault: { kind: 'unavailable' }, code: 'ServiceUnavailableTemporary', retryable: true },
  // A throttled answer (contention evidence) spreads the next try: 0.5 s + 0.5 * (2 s - 0.5 s) for a fresh
  // streak, see throttledRetryDelayMs.
  { name: 'throttling', fault: { kind: 'throttle' }, code: 'Rejected.Throttling', retryable: true, retryMs: { load: 1250, refresh: 1250 } },
  { name: '500', fault: { kind: 'internal' }, code: 'InternalFailure', retryable: true },
  { name: 'connection reset', fault: { kind: 'reset' }, code: 'Kms.NetworkError', retryable: true },
  { name: 'garbage body', fault: { kind: 'garbage' }, code: 'Kms.InvalidResponse', retryable: true },
  { name: 'slower than readTimeoutMs', fault: { kind: 'latency', delayMs: 60 * 60_000 }, code: 'Kms.Timeout', retryable: true },
];

/** Retry of a failed first load: max(recovery minimum 1 s, full jitter 0.5 * min(cap 1 s, base 1 s)). */
const DEFAULT_LOAD_RETRY_MS = 1000;
/** Retry of a failed scheduled refresh: max(recovery minimum 1 s, 0.5 * min(cap 1 s, base 1 s)). */
const DEFAULT_REFRESH_RETRY_MS = 1000;

const unhandled = trackUnhandledRejections();
let clock: VirtualClock;
let kmsClock: VirtualClock;
let store: SecretStore;
let kms: LocalKms;
let oss: LocalOss;
let source: OpenApiSecretSource;
let cache: SecretCacheClient;
let bucket: ProxyBucket;

beforeEach(async () => {
  clock = new VirtualClock(Date.now());
  kmsClock = new VirtualClock(Date.now());
  store = new SecretStore({ clock });
  store.setRamCredential(SECRET, { accessKeyId: 'LTAI-K1', accessKeySecret: secretOf('LTAI-K1'), rotationIntervalMs: 7 * 86_400_000 });
  kms = await LocalKms.start({ store, clock: kmsClock });
  kms.addPrincipal(READER);
  oss = await LocalOss.start({ buckets: [BUCKET] });
  oss.keys.add({ accessKeyId: 'LTAI-K1', accessKeySecret: secretOf('LTAI-K1') });
  source = new OpenApiSecretSource({
    regionId: 'cn-hangzhou',
    endpoint: kms.endpoint,
    credentials: { type: 'ak', ...READER },
    connectTimeoutMs: 250,
    readTimeoutMs: 250,
  });
  cache = new SecretCacheClient({ source, ownsSource: true, clock, random: () => 0.5, backoff: { baseMs: 1000, capMs: 1000 } });
  bucket = new ProxyBucket({ secretName: SECRET, cacheClient: cache, ...oss.clientOptions(BUCKET) });
});
afterEach(async () => {
  await bucket.shutdown();
  await cache.close();
  expect(clock.pendingTimers).toBe(0);
  await kms.close();
  await oss.close();
  expect(unhandled.reasons).toEqual([]);
});
afterAll(() => {
  unhandled.uninstall();
  expect(unhandled.reasons).toEqual([]);
});

function expectKmsError(error: unknown, fault: FaultCase): void {
  expect(error).toBeInstanceOf(KmsError);
  expect(error).toMatchObject({ code: fault.code, retryable: fault.retryable });
  expect(leaksIn(fault.name, error, [
    { label: 'reader secret', value: READER.accessKeySecret },
    { label: 'OSS secret', value: secretOf('LTAI-K1') },
  ])).toEqual([]);
}

describe.each(FAULTS)('KMS OpenAPI fault: $name', (fault) => {
  const LOAD_RETRY_MS = fault.retryMs?.load ?? DEFAULT_LOAD_RETRY_MS;
  const REFRESH_RETRY_MS = fault.retryMs?.refresh ?? DEFAULT_REFRESH_RETRY_MS;
  it('at first load: typed KmsError to the caller, nothing sent to OSS; callers fail fast until the background retry heals it', async () => {
    kms.injectFault(fault.fault, Infinity);
    const failed = once(cache, 'error') as Promise<[SecretErrorEvent]>;
    const error = await rejectionOf(bucket.put('a.txt', Buffer.from('a')));
    expectKmsError(error, fault);
    expect(oss.requests.entries()).toEqual([]);
    const kmsCalls = kms.callCount;
    expect(kmsCalls).toBeGreaterThan(0);
    const [event] = await failed;
    expect(event).toMatchObject({ trigger: 'load', servingStale: false, consecutiveFailures: 1, retryAtMs: clock.now() + LOAD_RETRY_MS });
    expect(event.error).toBe(error);
    expect(cache.getStatus(SECRET)).toMatchObject({ state: 'failed', lastErrorCode: fault.code, nextRefreshAtMs: clock.now() + LOAD_RETRY_MS });
    // One background retry is armed (unref'd); nothing holds the process once the call settled.
    expect(clock.pendingTimers).toBe(1);
    expect(clock.keepAliveTimers).toBe(0);

    // Until the retry succeeds, callers fail fast with the same error and no KMS request, even once KMS healed.
    expect(await rejectionOf(bucket.put('b.txt', Buffer.from('b')))).toBe(error);
    kms.clearFaults();
    expect(await rejectionOf(bucket.put('a.txt', Buffer.from('a')))).toBe(error);
    expect(kms.callCount).toBe(kmsCalls);
    expect(oss.requests.entries()).toEqual([]);
    expect(clock.keepAliveTimers).toBe(0);

    const startedAt = clock.now();
    const refreshed = once(cache, 'refresh') as Promise<[SecretRefreshEvent]>;
    await clock.runNext();
    expect((await refreshed)[0]).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K1', changed: true });
    expect(clock.now() - startedAt).toBe(LOAD_RETRY_MS);
    expect(kms.callCount).toBe(kmsCalls + 1);
    await bucket.put('a.txt', Buffer.from('a'));
    expect(kms.callCount).toBe(kmsCalls + 1); // served from the cache
    expect(oss.getObject(BUCKET, 'a.txt')?.body.toString()).toBe('a');
    expect(oss.requests.entries().map((r) => r.accessKeyId)).toEqual(['LTAI-K1']);
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('during a refresh: last good key served, recovery picks up the rotated key', async () => {
    await bucket.put('before.txt', Buffer.from('before'));
    kms.injectFault(fault.fault, Infinity);
    store.rotate(SECRET, { accessKeyId: 'LTAI-K2', accessKeySecret: secretOf('LTAI-K2') });
    oss.keys.add({ accessKeyId: 'LTAI-K2', accessKeySecret: secretOf('LTAI-K2') });

    const failed = once(cache, 'error');
    await clock.runNext();
    const [event] = (await failed) as [SecretErrorEvent];
    expect(event).toMatchObject({ trigger: 'scheduled', servingStale: true, retryAtMs: clock.now() + REFRESH_RETRY_MS });
    expectKmsError(event.error, fault);
    const kmsCalls = kms.callCount;
    await bucket.put('during.txt', Buffer.from('during'));
    expect(oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K1', status: 200 });
    expect(kms.callCount).toBe(kmsCalls); // the last good key, without waiting for KMS
    expect(cache.getStatus(SECRET)).toMatchObject({ state: 'stale', accessKeyId: 'LTAI-K1', lastErrorCode: fault.code });
    expect(clock.keepAliveTimers).toBe(0);

    kms.clearFaults();
    const refreshed = once(cache, 'refresh');
    await clock.runNext();
    expect((await refreshed)[0]).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K2' });
    expect(cache.getStatus(SECRET)).toMatchObject({ state: 'fresh', accessKeyId: 'LTAI-K2', consecutiveFailures: 0 });
    await bucket.put('after.txt', Buffer.from('after'));
    expect(oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K2', status: 200 });
    expect(clock.keepAliveTimers).toBe(0);
  });
});
