import type { Clock } from '../runtime/clock.js';

/**
 * The part of an OpenTelemetry `MeterProvider` the bridge uses. Declared structurally so this package's
 * types do not depend on `@opentelemetry/api` (an optional peer): any `MeterProvider` fits.
 */
export interface OpenTelemetryMeterProvider {
  /** Returns the meter of an instrumentation scope. */
  getMeter(name: string, version?: string, options?: object): unknown;
}

/**
 * The part of an OpenTelemetry `TracerProvider` the bridge uses, declared structurally like
 * {@link OpenTelemetryMeterProvider}: any `TracerProvider` fits.
 */
export interface OpenTelemetryTracerProvider {
  /** Returns the tracer of an instrumentation scope. */
  getTracer(name: string, version?: string, options?: object): unknown;
}

/** Options of `enableOpenTelemetry(...)`. All optional. */
export interface OpenTelemetryOptions {
  /** Where metrics go. Default: the global one, `metrics.getMeterProvider()` of `@opentelemetry/api`. */
  meterProvider?: OpenTelemetryMeterProvider;
  /** Where spans go. Default: the global one, `trace.getTracerProvider()` of `@opentelemetry/api`. */
  tracerProvider?: OpenTelemetryTracerProvider;
  /** Instrumentation scope name of the meter and the tracer. Default `ali-oss-managed-credentials`. */
  meterName?: string;
  /**
   * Time source for span times and the key age and staleness gauges. Default: the system clock. Tests pass
   * the same virtual clock as their `SecretCacheClient`.
   */
  clock?: Clock;
}
