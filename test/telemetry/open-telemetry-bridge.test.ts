import { inspect } from 'node:util';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { enableOpenTelemetry } from '../../src/telemetry/enable-open-telemetry.js';
import type { OpenTelemetryBridge } from '../../src/telemetry/open-telemetry-bridge.js';
import { OpenTelemetryError, OpenTelemetryErrorCode } from '../../src/telemetry/open-telemetry-error.js';
import { captureProcessWarnings } from '../support/capture-output.js';
import { publishManagedCallRetry, type ManagedCallRetryEvent } from '../../src/call/managed-call-events.js';
import { createCache, HOUR, putRamKey, rotateRamKey, SECOND, secretOf } from '../cache/cache-fixture.js';
import { unavailable } from '../support/in-memory-secret-source.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { leaksIn, type KnownSecret } from '../support/secret-scanner.js';
import { createTelemetrySdk, hrTimeMs, pointOf } from './telemetry-fixture.js';

const SECRET = 'app-oss-ak';
const FIRST_KEY = 'LTAIotelFirstKey01';
const SECOND_KEY = 'LTAIotelSecondKey2';
const SECRET_NAME = 'managed_credentials.secret.name';
const TRIGGER = 'managed_credentials.trigger';
const OUTCOME = 'managed_credentials.outcome';

const bridges: OpenTelemetryBridge[] = [];
afterEach(() => {
  for (const bridge of bridges.splice(0)) bridge.disable();
});

async function enable(options: Parameters<typeof enableOpenTelemetry>[0]) {
  const bridge = await enableOpenTelemetry(options);
  bridges.push(bridge);
  return bridge;
}

/** A cache on a virtual clock with the bridge exporting to in-memory exporters; the backoff's first retry is 1 s out. */
async function bridgedCache() {
  const cache = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0, backoff: { baseMs: 2 * SECOND, capMs: HOUR } });
  const sdk = createTelemetrySdk();
  const bridge = await enable({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, clock: cache.clock });
  putRamKey(cache.store, SECRET, FIRST_KEY);
  return { ...cache, sdk, bridge };
}

/** Runs `action` while the source holds its answers for `latencyMs` of virtual time (the fetch's duration). */
async function withLatency<T>(cache: Awaited<ReturnType<typeof bridgedCache>>, latencyMs: number, action: () => Promise<T> | void) {
  const release = cache.source.hold();
  const result = action();
  await cache.clock.advance(latencyMs);
  release();
  await cache.clock.advance(0);
  return result;
}

function publishCallRetry(event: ManagedCallRetryEvent): void {
  publishManagedCallRetry(event);
}

describe('enableOpenTelemetry: metrics and spans from a real SecretCacheClient', () => {
  it('records a load, a rotation after a rejected key, a failed refresh serving stale and its recovery', async () => {
    const cache = await bridgedCache();
    const { client, clock, store, source, sdk } = cache;

    // A load that spends 120 ms in the source.
    await withLatency(cache, 120, () => client.getCredential(SECRET));
    const loadEndMs = clock.now();
    await clock.advance(10 * SECOND);
    let metrics = await sdk.collectMetrics();
    expect(pointOf(metrics, 'managed_credentials.refreshes', { [SECRET_NAME]: SECRET, [TRIGGER]: 'load', [OUTCOME]: 'success' })).toBe(1);
    expect(pointOf(metrics, 'managed_credentials.key.age', { [SECRET_NAME]: SECRET })).toBe(10 * SECOND);
    expect(pointOf(metrics, 'managed_credentials.staleness', { [SECRET_NAME]: SECRET })).toBe(0);

    // OSS rejects the first key; the forced refresh (80 ms) brings the rotated one.
    rotateRamKey(store, SECRET, SECOND_KEY);
    const outcome = await withLatency(cache, 80, () => client.refreshNow(SECRET, { staleAccessKeyId: FIRST_KEY }));
    expect((await outcome)?.changed).toBe(true);
    const rotatedAtMs = clock.now();

    // The scheduled refresh an hour later fails after 250 ms; the last good key is served stale.
    source.goDown(unavailable());
    const release = source.hold();
    await clock.advance(HOUR); // the scheduled fetch starts and waits in the source
    await clock.advance(250);
    release();
    await clock.advance(0);
    const failedAtMs = clock.now();
    expect((await client.getCredential(SECRET)).accessKeyId).toBe(SECOND_KEY);
    await clock.advance(900);
    metrics = await sdk.collectMetrics();
    expect(pointOf(metrics, 'managed_credentials.staleness', { [SECRET_NAME]: SECRET })).toBe(900);
    expect(pointOf(metrics, 'managed_credentials.key.age', { [SECRET_NAME]: SECRET })).toBe(clock.now() - rotatedAtMs);

    // KMS is back: the backoff retry (1 s after the failure) succeeds with the same key.
    source.recover();
    await clock.advance(100);
    metrics = await sdk.collectMetrics();
    expect(pointOf(metrics, 'managed_credentials.staleness', { [SECRET_NAME]: SECRET })).toBe(0);
    expect(pointOf(metrics, 'managed_credentials.key.age', { [SECRET_NAME]: SECRET })).toBe(clock.now() - rotatedAtMs);

    // Counters, by trigger and outcome.
    const refreshes = (trigger: string, outcomeName: string) =>
      pointOf(metrics, 'managed_credentials.refreshes', { [SECRET_NAME]: SECRET, [TRIGGER]: trigger, [OUTCOME]: outcomeName });
    expect(refreshes('load', 'success')).toBe(1);
    expect(refreshes('forced', 'success')).toBe(1);
    expect(refreshes('scheduled', 'failure')).toBe(1);
    expect(refreshes('retry', 'success')).toBe(1);
    expect(metrics.get('managed_credentials.refreshes')?.points).toHaveLength(4);
    expect(pointOf(metrics, 'managed_credentials.refreshes', { [TRIGGER]: 'scheduled' })).toBe(1);
    expect(metrics.get('managed_credentials.refreshes')?.points.find((p) => p.attributes[TRIGGER] === 'scheduled')?.attributes).toEqual({
      [SECRET_NAME]: SECRET,
      [TRIGGER]: 'scheduled',
      [OUTCOME]: 'failure',
      'error.type': 'ServiceUnavailableTemporary',
    });
    expect(metrics.get('managed_credentials.forced_refreshes')?.points).toEqual([
      { attributes: { [SECRET_NAME]: SECRET, [TRIGGER]: 'forced', [OUTCOME]: 'success' }, value: 1 },
    ]);
    expect(metrics.get('managed_credentials.key.rejections')?.points).toEqual([
      {
        attributes: { [SECRET_NAME]: SECRET, 'managed_credentials.rejection.suspected': false, 'managed_credentials.rejection.held': true },
        value: 1,
      },
    ]);
    expect(metrics.get('managed_credentials.key.rotations')?.points).toEqual([
      { attributes: { [SECRET_NAME]: SECRET, [TRIGGER]: 'forced' }, value: 1 },
    ]);

    // Fetch durations, successes and failures, in ms.
    const duration = metrics.get('managed_credentials.kms.fetch.duration');
    expect(duration?.unit).toBe('ms');
    expect(pointOf(metrics, 'managed_credentials.kms.fetch.duration', { [TRIGGER]: 'load' })).toMatchObject({ count: 1, sum: 120 });
    expect(pointOf(metrics, 'managed_credentials.kms.fetch.duration', { [TRIGGER]: 'forced' })).toMatchObject({ count: 1, sum: 80 });
    expect(pointOf(metrics, 'managed_credentials.kms.fetch.duration', { [TRIGGER]: 'scheduled' })).toMatchObject({ count: 1, sum: 250 });
    expect(metrics.get('managed_credentials.key.age')?.unit).toBe('ms');
    expect(metrics.get('managed_credentials.staleness')?.unit).toBe('ms');

    // One span per fetch, placed where the fetch ran.
    const spans = sdk.spans();
    expect(spans.map((span) => [span.name, span.attributes[TRIGGER], span.attributes[OUTCOME]])).toEqual([
      ['kms GetSecretValue', 'load', 'success'],
      ['kms GetSecretValue', 'forced', 'success'],
      ['kms GetSecretValue', 'scheduled', 'failure'],
      ['kms GetSecretValue', 'retry', 'success'],
    ]);
    const [load, forced, failed] = spans;
    expect(load?.kind).toBe(SpanKind.CLIENT);
    expect(hrTimeMs(load!.startTime)).toBe(loadEndMs - 120);
    expect(hrTimeMs(load!.endTime)).toBe(loadEndMs);
    expect(load?.attributes).toMatchObject({ [SECRET_NAME]: SECRET, 'managed_credentials.key.changed': true });
    expect(load?.attributes['managed_credentials.key.fingerprint']).toMatch(/^[0-9a-f]{8,}$/);
    expect(forced?.attributes['managed_credentials.key.fingerprint']).not.toBe(load?.attributes['managed_credentials.key.fingerprint']);
    expect(hrTimeMs(failed!.endTime) - hrTimeMs(failed!.startTime)).toBe(250);
    expect(hrTimeMs(failed!.endTime)).toBe(failedAtMs);
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ServiceUnavailableTemporary' });
    expect(failed?.attributes).toMatchObject({ 'error.type': 'ServiceUnavailableTemporary', 'managed_credentials.source': 'in-memory' });
    expect(load?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("puts a throttled answer's quota hints (Limit, Remain, the hinted wait) on the failed fetch's span, not on the metrics", async () => {
    const cache = await bridgedCache();
    const { client, store, source, clock, sdk } = cache;
    await client.getCredential(SECRET);
    rotateRamKey(store, SECRET, SECOND_KEY);
    source.failNext(
      new KmsError('throttled', { code: 'Rejected.Throttling', httpStatus: 429, retryable: true, source: 'in-memory', throttleHints: { limit: 450, remain: 0, timeLeftMs: 300 } }),
    );
    void client.refreshNow(SECRET, { staleAccessKeyId: FIRST_KEY });
    await clock.advance(0);
    const failed = sdk.spans().find((span) => span.attributes['error.type'] === 'Rejected.Throttling');
    expect(failed?.attributes).toMatchObject({
      'managed_credentials.kms.ratelimit.limit': 450,
      'managed_credentials.kms.ratelimit.remain': 0,
      'managed_credentials.kms.retry_after_ms': 300,
    });
    const metrics = await sdk.collectMetrics();
    expect(pointOf(metrics, 'managed_credentials.refreshes', { [SECRET_NAME]: SECRET, [TRIGGER]: 'forced', [OUTCOME]: 'failure', 'error.type': 'Rejected.Throttling' })).toBe(1);
    await clock.advance(10 * SECOND);
  });

  it('exports no AccessKey secret and no AccessKeyId anywhere', async () => {
    const cache = await bridgedCache();
    const { client, store, source, clock, sdk } = cache;
    await client.getCredential(SECRET);
    rotateRamKey(store, SECRET, SECOND_KEY);
    await client.refreshNow(SECRET, { staleAccessKeyId: FIRST_KEY });
    source.goDown(unavailable());
    await clock.advance(HOUR);
    await client.getCredential(SECRET);
    await sdk.collectMetrics();

    const known: KnownSecret[] = [
      { label: 'first AccessKeySecret', value: secretOf(FIRST_KEY) },
      { label: 'second AccessKeySecret', value: secretOf(SECOND_KEY) },
      { label: 'first AccessKeyId', value: FIRST_KEY },
      { label: 'second AccessKeyId', value: SECOND_KEY },
    ];
    const exported = { metrics: sdk.rawMetrics(), spans: sdk.spans().map((span) => ({ ...span, attributes: span.attributes, status: span.status })) };
    expect(inspect(exported, { depth: Infinity })).toContain(SECRET); // the scan sees the exported data
    expect(leaksIn('exported telemetry', exported, known)).toEqual([]);
  });

  it('counts calls retried after a rotation, by outcome, from the call core channel', async () => {
    const { sdk } = await bridgedCache();
    publishCallRetry({ secretName: SECRET, client: 'ali-oss', outcome: 'retried' });
    publishCallRetry({ secretName: SECRET, client: 'ali-oss', outcome: 'retried' });
    publishCallRetry({ secretName: SECRET, client: 'tea', outcome: 'not-replayable' });
    publishCallRetry({ secretName: SECRET, client: 'ali-oss', outcome: 'key-unchanged' });
    const metrics = await sdk.collectMetrics();
    const calls = (client: string, outcome: string) =>
      pointOf(metrics, 'managed_credentials.call.retries', { [SECRET_NAME]: SECRET, 'managed_credentials.call.client': client, [OUTCOME]: outcome });
    expect(calls('ali-oss', 'retried')).toBe(2);
    expect(calls('tea', 'not-replayable')).toBe(1);
    expect(calls('ali-oss', 'key-unchanged')).toBe(1);
  });

  it('disable() stops every export, is idempotent, and is what `using` calls', async () => {
    const cache = await bridgedCache();
    const { client, store, clock, sdk, bridge } = cache;
    await client.getCredential(SECRET);
    await clock.advance(5 * SECOND);
    let metrics = await sdk.collectMetrics();
    expect(metrics.get('managed_credentials.key.age')?.points.map((point) => point.value)).toEqual([5 * SECOND]);
    const spansBefore = sdk.spans().length;

    bridge.disable();
    bridge.disable();
    expect(bridge.enabled).toBe(false);
    rotateRamKey(store, SECRET, SECOND_KEY);
    await clock.advance(10 * SECOND);
    await client.refreshNow(SECRET, { staleAccessKeyId: FIRST_KEY });
    publishCallRetry({ secretName: SECRET, client: 'ali-oss', outcome: 'retried' });
    metrics = await sdk.collectMetrics();
    expect(sdk.spans()).toHaveLength(spansBefore);
    expect(metrics.get('managed_credentials.refreshes')?.points).toEqual([
      { attributes: { [SECRET_NAME]: SECRET, [TRIGGER]: 'load', [OUTCOME]: 'success' }, value: 1 },
    ]);
    expect(metrics.get('managed_credentials.key.rotations')).toBeUndefined();
    expect(metrics.get('managed_credentials.key.rejections')).toBeUndefined();
    expect(metrics.get('managed_credentials.call.retries')).toBeUndefined();
    // No new observation: a cumulative reader keeps repeating the last point it had, 5 s, never 15 s.
    expect(metrics.get('managed_credentials.key.age')?.points.map((point) => point.value) ?? []).toEqual([5 * SECOND]);

    const other = await enableOpenTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, clock });
    {
      using scoped = other;
      expect(scoped.enabled).toBe(true);
    }
    expect(other.enabled).toBe(false);
  });

  it('uses the global providers of @opentelemetry/api by default', async () => {
    const { metrics, trace } = await import('@opentelemetry/api');
    const sdk = createTelemetrySdk();
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    try {
      const cache = createCache();
      await enable({ clock: cache.clock });
      putRamKey(cache.store, SECRET, FIRST_KEY);
      await cache.client.getCredential(SECRET);
      const exported = await sdk.collectMetrics();
      expect(pointOf(exported, 'managed_credentials.refreshes', { [TRIGGER]: 'load' })).toBe(1);
      expect(sdk.spans().map((span) => span.name)).toEqual(['kms GetSecretValue']);
    } finally {
      metrics.disable();
      trace.disable();
    }
  });

  it('never lets a failing provider throw into the cache: the event is dropped with one warning', async () => {
    const cache = createCache();
    const sdk = createTelemetrySdk();
    const throwingTracerProvider = {
      getTracer: () => ({
        startSpan: () => {
          throw new Error('exporter exploded');
        },
      }),
    };
    const warnings = captureProcessWarnings(); // asserted below, not printed into the test log
    try {
      await enable({ meterProvider: sdk.meterProvider, tracerProvider: throwingTracerProvider, clock: cache.clock });
      putRamKey(cache.store, SECRET, FIRST_KEY);
      expect((await cache.client.getCredential(SECRET)).accessKeyId).toBe(FIRST_KEY);
      expect(await cache.client.refreshNow(SECRET, { staleAccessKeyId: FIRST_KEY })).toMatchObject({ via: 'fetched' });
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(cache.events.refresh).toHaveLength(2);
    } finally {
      warnings.restore();
    }
    const ours = warnings.messages().filter((message) => message.startsWith('[OPENTELEMETRY_BRIDGE_ERROR] '));
    expect(ours).toHaveLength(1);
    expect(ours[0]).toContain('"refresh"');
  });

  it.each([
    ['meterProvider', { meterProvider: {} }],
    ['tracerProvider', { tracerProvider: { getTracer: 'no' } }],
    ['meterName', { meterName: ' ' }],
    ['clock', { clock: { now: () => 0 } }],
  ])('rejects a wrong %s with a typed error naming it', async (option, options) => {
    const error = await enableOpenTelemetry(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenTelemetryError);
    expect(error).toMatchObject({ name: 'OpenTelemetryError', code: OpenTelemetryErrorCode.InvalidOption });
    expect((error as Error).message).toContain(`"${option}"`);
  });
});
