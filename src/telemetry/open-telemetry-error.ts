import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link OpenTelemetryError}. */
export const OpenTelemetryErrorCode = {
  /** `@opentelemetry/api` (an optional peer dependency) is not installed; the message names the install command. */
  PackageMissing: 'OpenTelemetry.PackageMissing',
  /** An option of `enableOpenTelemetry(...)` has a wrong type; the message names the option. */
  InvalidOption: 'OpenTelemetry.InvalidOption',
} as const;

/** One of the {@link OpenTelemetryErrorCode} values. */
export type OpenTelemetryErrorCode = ErrorCodeOf<typeof OpenTelemetryErrorCode>;

/**
 * `enableOpenTelemetry(...)` cannot start its bridge: `@opentelemetry/api` is not installed, or an option is
 * wrong. The message names the package or the option.
 */
export class OpenTelemetryError extends ManagedCredentialsError<OpenTelemetryErrorCode> {}
