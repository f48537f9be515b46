import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Meter, MeterProvider, Tracer, TracerProvider } from '@opentelemetry/api';
import {
  SECRET_CACHE_CHANNELS,
  type SecretErrorEvent,
  type SecretRefreshEvent,
  type SecretRejectEvent,
  type SecretRotateEvent,
  type SecretStaleEvent,
} from '../cache/secret-cache-events.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { MANAGED_CALL_CHANNELS, type ManagedCallRetryEvent } from '../call/managed-call-events.js';
import { CacheTelemetryRecorder, type Published } from './cache-telemetry-recorder.js';
import { errorType } from './error-type.js';
import { loadOpenTelemetryApi } from './load-open-telemetry-api.js';
import type { OpenTelemetryBridge } from './open-telemetry-bridge.js';
import { OpenTelemetryError, OpenTelemetryErrorCode } from './open-telemetry-error.js';
import type { OpenTelemetryOptions } from './open-telemetry-options.js';
import { DEFAULT_METER_NAME } from './telemetry-names.js';

type Listener = (message: unknown, name: string | symbol) => void;

/**
 * Starts publishing this package's cache events as OpenTelemetry metrics and spans (see the README for the
 * instrument names): fetches by trigger and outcome, KMS fetch duration, forced refreshes, rejected keys,
 * rotations, key age and staleness per secret, calls retried after a rotation, and a `kms GetSecretValue` span
 * per fetch. Attributes carry secret names, triggers, outcomes and error codes, never a secret or an AccessKeyId.
 *
 * It subscribes to the `node:diagnostics_channel` channels every `SecretCacheClient` publishes on
 * ({@link SECRET_CACHE_CHANNELS}), so it covers every client of the process, created before or after. It loads
 * `@opentelemetry/api` (an optional peer dependency) only when called: without a call nothing is loaded or
 * subscribed, and the cache pays nothing. Call it once per process; each bridge records on its own.
 *
 * @param options - providers (default: the global ones of `@opentelemetry/api`), scope name and clock
 * @returns the running bridge; `bridge.disable()` (or `using`) stops it
 * @throws OpenTelemetryError `OpenTelemetry.PackageMissing` when `@opentelemetry/api` is not installed,
 *   `OpenTelemetry.InvalidOption` when an option has a wrong type
 */
export async function enableOpenTelemetry(options: OpenTelemetryOptions = {}): Promise<OpenTelemetryBridge> {
  const { meterName, clock } = validateOptions(options);
  const api = await loadOpenTelemetryApi();
  const meterProvider = (options.meterProvider ?? api.metrics.getMeterProvider()) as MeterProvider;
  const tracerProvider = (options.tracerProvider ?? api.trace.getTracerProvider()) as TracerProvider;
  const recorder = new CacheTelemetryRecorder(
    api,
    meterProvider.getMeter(meterName) as Meter,
    tracerProvider.getTracer(meterName) as Tracer,
    clock,
  );

  let warned = false;
  const guarded = <T>(event: string, record: (message: T) => void): Listener => {
    return (message) => {
      if (!isEventOf(message)) return;
      // A throwing subscriber would surface as an uncaught exception in the publishing code: never throw.
      try {
        record(message as T);
      } catch (error) {
        if (warned) return;
        warned = true;
        process.emitWarning(`the OpenTelemetry bridge dropped a "${event}" event (${errorType(error)}); further failures are silent`, {
          code: 'OPENTELEMETRY_BRIDGE_ERROR',
        });
      }
    };
  };
  const subscriptions: Array<[string, Listener]> = [
    [SECRET_CACHE_CHANNELS.refresh, guarded<Published<SecretRefreshEvent>>('refresh', (message) => recorder.refresh(message))],
    [SECRET_CACHE_CHANNELS.error, guarded<Published<SecretErrorEvent>>('error', (message) => recorder.error(message))],
    [SECRET_CACHE_CHANNELS.stale, guarded<Published<SecretStaleEvent>>('stale', (message) => recorder.stale(message))],
    [SECRET_CACHE_CHANNELS.reject, guarded<Published<SecretRejectEvent>>('reject', (message) => recorder.reject(message))],
    [SECRET_CACHE_CHANNELS.rotate, guarded<Published<SecretRotateEvent>>('rotate', (message) => recorder.rotate(message))],
    [MANAGED_CALL_CHANNELS.retry, guarded<ManagedCallRetryEvent>('call:retry', (message) => recorder.callRetry(message))],
  ];
  for (const [channel, listener] of subscriptions) subscribe(channel, listener);

  let enabled = true;
  const disable = (): void => {
    if (!enabled) return;
    enabled = false;
    for (const [channel, listener] of subscriptions) unsubscribe(channel, listener);
    recorder.close();
  };
  return {
    get enabled() {
      return enabled;
    },
    disable,
    [Symbol.dispose]: disable,
  };
}

/** Messages of our channels are objects naming a secret; anything else (a foreign publisher) is ignored. */
function isEventOf(message: unknown): message is Record<string, unknown> {
  return typeof message === 'object' && message !== null && typeof (message as { secretName?: unknown }).secretName === 'string';
}

function validateOptions(options: OpenTelemetryOptions): { meterName: string; clock: Clock } {
  if (typeof options !== 'object' || options === null) invalid('options', 'an object');
  const { meterProvider, tracerProvider, meterName = DEFAULT_METER_NAME, clock = systemClock } = options;
  if (meterProvider !== undefined && typeof (meterProvider as { getMeter?: unknown }).getMeter !== 'function') {
    invalid('meterProvider', 'a MeterProvider (with getMeter)');
  }
  if (tracerProvider !== undefined && typeof (tracerProvider as { getTracer?: unknown }).getTracer !== 'function') {
    invalid('tracerProvider', 'a TracerProvider (with getTracer)');
  }
  if (typeof meterName !== 'string' || meterName.trim() === '') invalid('meterName', 'a non-empty string');
  if (typeof (clock as { now?: unknown }).now !== 'function' || typeof (clock as { monotonicNow?: unknown }).monotonicNow !== 'function') {
    invalid('clock', 'a Clock (with now and monotonicNow)');
  }
  return { meterName, clock };
}

function invalid(option: string, expected: string): never {
  throw new OpenTelemetryError(OpenTelemetryErrorCode.InvalidOption, `enableOpenTelemetry: option "${option}" must be ${expected}`);
}
