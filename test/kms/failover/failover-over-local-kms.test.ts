import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FailoverSecretSource } from '../../../src/kms/failover/index.js';
import { KmsError } from '../../../src/kms/kms-error.js';
import { OpenApiSecretSource } from '../../../src/kms/openapi/index.js';
import { LocalKms } from '../../../src/testing/kms/index.js';
import { SecretStore } from '../../../src/testing/secret-store.js';

const AK = { accessKeyId: 'LTAI-failover', accessKeySecret: 'failover-secret' };
const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'] as const;
let servers: LocalKms[] = [];
const opened: FailoverSecretSource[] = [];
// One secret per test: a loser's request the SDK cannot cancel may still reach a server after its test.
const SECRETS = ['down', 'slow', 'throttled', 'deadline', 'abort'];
const callsFor = (kms: LocalKms, secretName: string) => kms.requests.filter((r) => r.secretName === secretName);

/** A failover group over the three LocalKms regions, in config order, with short test timings. */
function group(options: { deadlineMs?: number } = {}): FailoverSecretSource {
  const failover = new FailoverSecretSource({
    sources: servers.map(
      (kms, index) =>
        new OpenApiSecretSource({
          regionId: regions[index] as string,
          endpoint: kms.endpoint,
          credentials: { type: 'ak', ...AK },
          readTimeoutMs: 10_000,
        }),
    ),
    hedgeAfterMs: 150,
    backoff: { baseMs: 20, capMs: 100 },
    throttlePacing: { minDelayMs: 20, firstWindowMs: 100, growth: 1.5, capMs: 150 },
    deadlineMs: options.deadlineMs ?? 10_000,
  });
  opened.push(failover);
  return failover;
}

beforeAll(async () => {
  servers = await Promise.all(
    regions.map(async (region) => {
      const store = new SecretStore();
      // Each region holds the secret with a value that tells which region answered.
      for (const name of SECRETS) store.setSecret(name, { secretData: `from-${region}` });
      const kms = await LocalKms.start({ store });
      kms.addPrincipal(AK);
      return kms;
    }),
  );
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
  for (const kms of servers) {
    kms.clearFaults();
    kms.resetLog();
  }
});

afterAll(async () => {
  await Promise.all(servers.map((kms) => kms.close()));
});

const region = (index: number) => () => servers[index] as LocalKms;
const [hangzhou, shanghai, beijing] = [region(0), region(1), region(2)];

describe('FailoverSecretSource over LocalKms regions (real SDK, real sockets)', () => {
  it('fails over from a region that is down and keeps using the healthy one', async () => {
    hangzhou().injectFault({ kind: 'unavailable' }, Infinity);
    beijing().injectFault({ kind: 'latency', delayMs: 5_000 }, Infinity);
    const failover = group();
    const first = await failover.getSecretValue({ secretName: 'down' });
    expect(first.secretData).toBe('from-cn-shanghai');
    expect(failover.healthySourceIndex).toBe(1);
    const hangzhouCalls = callsFor(hangzhou(), 'down').length;
    const second = await failover.getSecretValue({ secretName: 'down' });
    expect(second.secretData).toBe('from-cn-shanghai');
    // The second call went straight to the healthy region.
    expect(callsFor(shanghai(), 'down')).toHaveLength(2);
    expect(callsFor(hangzhou(), 'down').length).toBeLessThanOrEqual(hangzhouCalls + 1);
    expect(callsFor(hangzhou(), 'down').every((r) => r.httpStatus === 503)).toBe(true);
  });

  it('does not wait for a slow region: the others are asked after hedgeAfterMs', async () => {
    hangzhou().injectFault({ kind: 'latency', delayMs: 5_000 }, Infinity);
    beijing().injectFault({ kind: 'latency', delayMs: 5_000 }, Infinity);
    const info = await group().getSecretValue({ secretName: 'slow' });
    expect(info.secretData).toBe('from-cn-shanghai');
    expect(callsFor(hangzhou(), 'slow')).toHaveLength(1);
  });

  it('retries a throttled region with backoff while the others are down', async () => {
    hangzhou().injectFault({ kind: 'throttle' }, 2);
    shanghai().injectFault({ kind: 'internal' }, Infinity);
    beijing().injectFault({ kind: 'reset' }, Infinity);
    const info = await group().getSecretValue({ secretName: 'throttled' });
    expect(info.secretData).toBe('from-cn-hangzhou');
    expect(callsFor(hangzhou(), 'throttled').map((r) => r.errorCode ?? r.httpStatus)).toEqual([
      'Rejected.Throttling',
      'Rejected.Throttling',
      200,
    ]);
  });

  it('does not fail over on a non-retryable error', async () => {
    const error = await group()
      .getSecretValue({ secretName: 'missing-secret' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', retryable: false });
    expect([callsFor(shanghai(), 'missing-secret'), callsFor(beijing(), 'missing-secret')]).toEqual([[], []]);
  });

  it('gives up at the deadline when no region answers', async () => {
    for (const kms of servers) kms.injectFault({ kind: 'unavailable' }, Infinity);
    const error = await group({ deadlineMs: 400 })
      .getSecretValue({ secretName: 'deadline' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect((error as Error).message).toContain('answered HTTP 503 ServiceUnavailableTemporary');
  });

  it('stops at once when the caller aborts', async () => {
    for (const kms of servers) kms.injectFault({ kind: 'latency', delayMs: 5_000 }, Infinity);
    const controller = new AbortController();
    const call = group().getSecretValue({ secretName: 'abort' }, { signal: controller.signal });
    await expect.poll(() => servers.reduce((n, kms) => n + callsFor(kms, 'abort').length, 0)).toBe(3);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});
