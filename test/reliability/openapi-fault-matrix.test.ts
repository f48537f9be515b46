import { once } from 'node:events';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/index.js';
import type { SecretErrorEvent } from '../../src/cache/secret-cache-events.js';
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
// emulator's own virtual time, released at stop).

const SECRET = 'oss-ram-ak';
const BUCKET = 'openapi-faults';
const READER = { accessKeyId: 'LTAI-kms-reader', accessKeySecret: 'kms-reader-secret-Ty6Ui9Op2' };

interface FaultCase {
  name: string;
  fault: LocalKmsFault;
  code: string;
  retryable: boolean;
}
const FAULTS: FaultCase[] = [
  { name: '503', fault: { kind: 'unavailable' }, code: 'ServiceUnavailableTemporary', retryable: true },
  { name: 'throttling', fault: { kind: 'throttle' }, code: 'Rejected.Throttling', retryable: true },
  { name: '500', fault: { kind: 'internal' }, code: 'InternalFailure', retryable: true },
  { name: 'connection reset', fault: { kind: 'reset' }, code: 'NetworkError', retryable: true },
  { name: 'garbage body', fault: { kind: 'garbage' }, code: 'InvalidResponse', retryable: true },
  { name: 'slower than readTimeoutMs', fault: { kind: 'latency', delayMs: 60 * 60_000 }, code: 'Timeout', retryable: true },
];

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
  await oss.stop();
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
  it('at first load: typed KmsError to the caller, nothing sent to OSS; works once KMS heals', async () => {
    kms.injectFault(fault.fault, Infinity);
    const error = await rejectionOf(bucket.put('a.txt', Buffer.from('a')));
    expectKmsError(error, fault);
    expect(oss.requests.entries()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
    kms.clearFaults();
    await bucket.put('a.txt', Buffer.from('a'));
    expect(oss.getObject(BUCKET, 'a.txt')?.body.toString()).toBe('a');
  });

  it('during a refresh: last good key served, recovery picks up the rotated key', async () => {
    await bucket.put('before.txt', Buffer.from('before'));
    kms.injectFault(fault.fault, Infinity);
    store.rotate(SECRET, { accessKeyId: 'LTAI-K2', accessKeySecret: secretOf('LTAI-K2') });
    oss.keys.add({ accessKeyId: 'LTAI-K2', accessKeySecret: secretOf('LTAI-K2') });

    const failed = once(cache, 'error');
    await clock.runNext();
    const [event] = (await failed) as [SecretErrorEvent];
    expect(event).toMatchObject({ trigger: 'scheduled', servingStale: true });
    expectKmsError(event.error, fault);
    await bucket.put('during.txt', Buffer.from('during'));
    expect(oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K1', status: 200 });

    kms.clearFaults();
    const refreshed = once(cache, 'refresh');
    await clock.runNext();
    expect((await refreshed)[0]).toMatchObject({ trigger: 'retry', accessKeyId: 'LTAI-K2' });
    await bucket.put('after.txt', Buffer.from('after'));
    expect(oss.requests.last()).toMatchObject({ accessKeyId: 'LTAI-K2', status: 200 });
  });
});
