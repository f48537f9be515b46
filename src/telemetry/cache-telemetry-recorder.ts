import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult, Tracer } from '@opentelemetry/api';
import type {
  SecretErrorEvent,
  SecretRefreshEvent,
  SecretRejectEvent,
  SecretRotateEvent,
  SecretStaleEvent,
} from '../cache/secret-cache-events.js';
import type { Clock } from '../runtime/clock.js';
import type { ManagedCallRetryEvent } from '../call/managed-call-events.js';
import { errorSource, errorType } from './error-type.js';
import { hintedWaitMs } from '../kms/throttle-hints.js';
import type { OpenTelemetryApi } from './load-open-telemetry-api.js';
import { SecretTelemetryState } from './secret-telemetry-state.js';
import { FETCH_SPAN_NAME, TELEMETRY_ATTRIBUTES as A, TELEMETRY_METRICS as M } from './telemetry-names.js';

/** A cache event as published on its diagnostics channel: the event's payload plus the publishing client's id. */
export type Published<T> = T & { client?: unknown };

/** Bucket bounds of the fetch duration histogram, ms: a local KMS instance answers in ms, a throttled one in s. */
const FETCH_DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];

/**
 * Turns the cache's events (and the call core's retry reports) into OpenTelemetry measurements and one span per
 * fetch from KMS. It creates its instruments on construction; {@link CacheTelemetryRecorder.close} removes
 * the gauges' callbacks. Attributes carry names, triggers, outcomes and error codes only, never a secret or
 * an AccessKeyId.
 */
export class CacheTelemetryRecorder {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer;
  readonly #clock: Clock;
  readonly #state: SecretTelemetryState;
  readonly #refreshes: Counter;
  readonly #fetchDuration: Histogram;
  readonly #forcedRefreshes: Counter;
  readonly #keyRejections: Counter;
  readonly #keyRotations: Counter;
  readonly #callRetries: Counter;
  readonly #keyAge: ObservableGauge;
  readonly #staleness: ObservableGauge;
  readonly #observeKeyAge = (result: ObservableResult) => {
    for (const reading of this.#state.keyAges()) result.observe(reading.valueMs, gaugeAttributes(reading));
  };
  readonly #observeStaleness = (result: ObservableResult) => {
    for (const reading of this.#state.staleness()) result.observe(reading.valueMs, gaugeAttributes(reading));
  };

  /**
   * @param api - the loaded `@opentelemetry/api`
   * @param meter - where the instruments are created
   * @param tracer - where the fetch spans start
   * @param clock - time of span ends and of the gauges
   */
  constructor(api: OpenTelemetryApi, meter: Meter, tracer: Tracer, clock: Clock) {
    this.#api = api;
    this.#tracer = tracer;
    this.#clock = clock;
    this.#state = new SecretTelemetryState(clock);
    this.#refreshes = meter.createCounter(M.refreshes, { description: 'Fetches of a secret from KMS, by trigger and outcome', unit: '{refresh}' });
    this.#fetchDuration = meter.createHistogram(M.fetchDuration, {
      description: 'Time spent in the secret source per fetch (the whole failover and its retries), successes and failures',
      unit: 'ms',
      advice: { explicitBucketBoundaries: FETCH_DURATION_BUCKETS_MS },
    });
    this.#forcedRefreshes = meter.createCounter(M.forcedRefreshes, {
      description: 'Fetches started because OSS rejected the key (forced) or while it stays rejected (recovery)',
      unit: '{refresh}',
    });
    this.#keyRejections = meter.createCounter(M.keyRejections, { description: 'AccessKeys reported rejected by OSS', unit: '{key}' });
    this.#keyRotations = meter.createCounter(M.keyRotations, { description: 'AccessKeyId changes picked up by a refresh', unit: '{rotation}' });
    this.#callRetries = meter.createCounter(M.callRetries, {
      description: 'Calls that failed on a rejected key, by what happened next',
      unit: '{call}',
    });
    this.#keyAge = meter.createObservableGauge(M.keyAge, {
      description: 'Time since the refresh that brought the key the cache holds',
      unit: 'ms',
    });
    this.#staleness = meter.createObservableGauge(M.staleness, {
      description: 'Time a stale value has been served since refreshing started failing; 0 when fresh',
      unit: 'ms',
    });
    this.#keyAge.addCallback(this.#observeKeyAge);
    this.#staleness.addCallback(this.#observeStaleness);
  }

  /** A `refresh` event: a fetch succeeded. */
  refresh(event: Published<SecretRefreshEvent>): void {
    const attributes: Attributes = { [A.secretName]: event.secretName, [A.trigger]: event.trigger, [A.outcome]: 'success' };
    this.#countFetch(attributes, event.trigger, event.durationMs);
    this.#state.onRefresh(clientOf(event), event.secretName, event.changed);
    this.#fetchSpan(event.durationMs, {
      ...attributes,
      [A.changed]: event.changed,
      [A.fingerprint]: event.fingerprint,
      ...(event.versionId === undefined ? {} : { [A.versionId]: event.versionId }),
    });
  }

  /** An `error` event: a fetch failed. */
  error(event: Published<SecretErrorEvent>): void {
    const type = errorType(event.error);
    const attributes: Attributes = {
      [A.secretName]: event.secretName,
      [A.trigger]: event.trigger,
      [A.outcome]: 'failure',
      [A.errorType]: type,
    };
    this.#countFetch(attributes, event.trigger, event.durationMs);
    const source = errorSource(event.error);
    // The quota hints go on the span only: per-answer numbers would split the metrics' series.
    const hints = event.throttleHints;
    const waitMs = hintedWaitMs(hints);
    this.#fetchSpan(
      event.durationMs,
      {
        ...attributes,
        ...(source === undefined ? {} : { [A.source]: source }),
        ...(hints?.limit === undefined ? {} : { [A.rateLimitLimit]: hints.limit }),
        ...(hints?.remain === undefined ? {} : { [A.rateLimitRemain]: hints.remain }),
        ...(waitMs === undefined ? {} : { [A.retryAfter]: waitMs }),
      },
      type,
    );
  }

  /** A `stale` event: a value whose refresh failed is being served. */
  stale(event: Published<SecretStaleEvent>): void {
    this.#state.onStale(clientOf(event), event.secretName, event.staleSinceMs);
  }

  /** A `reject` event: OSS rejected (or is suspected to have rejected) an AccessKey. */
  reject(event: Published<SecretRejectEvent>): void {
    this.#keyRejections.add(1, { [A.secretName]: event.secretName, [A.suspected]: event.suspected, [A.held]: event.held });
  }

  /** A `rotate` event: the AccessKeyId changed. */
  rotate(event: Published<SecretRotateEvent>): void {
    this.#keyRotations.add(1, { [A.secretName]: event.secretName, [A.trigger]: event.trigger });
  }

  /** A report of the call core: a call failed on a rejected key. */
  callRetry(event: ManagedCallRetryEvent): void {
    this.#callRetries.add(1, { [A.secretName]: event.secretName, [A.callClient]: event.client, [A.outcome]: event.outcome });
  }

  /** Removes the gauges' callbacks, so they report nothing more. */
  close(): void {
    this.#keyAge.removeCallback(this.#observeKeyAge);
    this.#staleness.removeCallback(this.#observeStaleness);
  }

  #countFetch(attributes: Attributes, trigger: string, durationMs: number | undefined): void {
    this.#refreshes.add(1, attributes);
    if (trigger === 'forced' || trigger === 'recovery') this.#forcedRefreshes.add(1, attributes);
    if (isDuration(durationMs)) this.#fetchDuration.record(durationMs, attributes);
  }

  /**
   * The span of one fetch. The event arrives when the fetch is over, so the span is started `durationMs`
   * back and ended at once. Times are Dates: OpenTelemetry reads small numbers as `performance.now()` values.
   */
  #fetchSpan(durationMs: number | undefined, attributes: Attributes, failure?: string): void {
    const endMs = this.#clock.now();
    const startMs = isDuration(durationMs) ? endMs - durationMs : endMs;
    const span = this.#tracer.startSpan(FETCH_SPAN_NAME, { kind: this.#api.SpanKind.CLIENT, startTime: new Date(startMs), attributes });
    if (failure !== undefined) span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: failure });
    span.end(new Date(endMs));
  }
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function clientOf(event: { client?: unknown }): string {
  return typeof event.client === 'string' ? event.client : 'unknown';
}

function gaugeAttributes(reading: { clientId: string; secretName: string }): Attributes {
  return { [A.secretName]: reading.secretName, [A.cacheClient]: reading.clientId };
}
