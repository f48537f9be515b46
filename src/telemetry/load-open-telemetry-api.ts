import type * as OpenTelemetryApiModule from '@opentelemetry/api';
import { OpenTelemetryError, OpenTelemetryErrorCode } from './open-telemetry-error.js';

/** The `@opentelemetry/api` module, as the bridge uses it. */
export type OpenTelemetryApi = typeof OpenTelemetryApiModule;

/** The range of `@opentelemetry/api` this package declares as its optional peer (kept equal to package.json). */
export const OPENTELEMETRY_API_RANGE = '^1.3.0';

const NOT_FOUND_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Loads `@opentelemetry/api` with a dynamic import. Called only by `enableOpenTelemetry(...)`, so an
 * application that never enables telemetry neither installs nor loads it.
 *
 * @throws OpenTelemetryError `OpenTelemetry.PackageMissing` when it is not installed
 */
export async function loadOpenTelemetryApi(): Promise<OpenTelemetryApi> {
  let loaded: OpenTelemetryApi & { default?: OpenTelemetryApi };
  try {
    loaded = (await import('@opentelemetry/api')) as OpenTelemetryApi & { default?: OpenTelemetryApi };
  } catch (cause) {
    if (!NOT_FOUND_CODES.has(String((cause as { code?: unknown } | undefined)?.code))) throw cause;
    throw new OpenTelemetryError(
      OpenTelemetryErrorCode.PackageMissing,
      `enableOpenTelemetry() needs @opentelemetry/api, which is not installed: npm install @opentelemetry/api@${OPENTELEMETRY_API_RANGE}`,
      { cause },
    );
  }
  // A CommonJS build seen through import(): the named exports may only be on `default`.
  return typeof loaded.metrics === 'object' ? loaded : (loaded.default ?? loaded);
}
