import { afterEach } from 'vitest';
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** One exported data point, flattened: its attributes and its value (a number, or a histogram's summary). */
export interface ExportedPoint {
  attributes: Attributes;
  value: number | { count: number; sum: number | undefined; buckets: { boundaries: number[]; counts: number[] } };
}

/** One exported metric: descriptor and points. */
export interface ExportedMetric {
  name: string;
  unit: string;
  points: ExportedPoint[];
}

const shutdowns: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(shutdowns.splice(0).map((shutdown) => shutdown()));
});

/**
 * The OpenTelemetry SDK with in-memory exporters: metrics are exported when {@link collectMetrics} flushes the
 * reader (its periodic timer is far away and unref'd by the SDK), spans as soon as they end.
 */
export function createTelemetrySdk() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  shutdowns.push(async () => {
    await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
  });

  /** Collects and exports now; returns the metrics of this collection by name. */
  async function collectMetrics(): Promise<Map<string, ExportedMetric>> {
    metricExporter.reset();
    await reader.forceFlush();
    const byName = new Map<string, ExportedMetric>();
    for (const resourceMetrics of metricExporter.getMetrics()) {
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          byName.set(metric.descriptor.name, {
            name: metric.descriptor.name,
            unit: metric.descriptor.unit,
            points: metric.dataPoints.map((point) => ({
              attributes: point.attributes,
              value:
                typeof point.value === 'number'
                  ? point.value
                  : {
                      count: (point.value as { count: number }).count,
                      sum: (point.value as { sum?: number }).sum,
                      buckets: (point.value as { buckets: { boundaries: number[]; counts: number[] } }).buckets,
                    },
            })),
          });
        }
      }
    }
    return byName;
  }

  /** Every exported metric as it left the SDK (for scanning), from the last collection. */
  function rawMetrics(): unknown {
    return metricExporter.getMetrics();
  }

  /** Spans exported so far. */
  function spans(): ReadableSpan[] {
    return spanExporter.getFinishedSpans();
  }

  return { meterProvider, tracerProvider, collectMetrics, rawMetrics, spans };
}

/** The value of the point of `metric` whose attributes include `attributes` (exactly one must match). */
export function pointOf(metrics: Map<string, ExportedMetric>, name: string, attributes: Attributes): ExportedPoint['value'] | undefined {
  const matches = (metrics.get(name)?.points ?? []).filter((point) =>
    Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  );
  if (matches.length > 1) throw new Error(`${matches.length} points of ${name} match ${JSON.stringify(attributes)}`);
  return matches[0]?.value;
}

/** Epoch milliseconds of an OpenTelemetry time. */
export function hrTimeMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
