/**
 * Where this library writes what it has to tell (today: configuration warnings such as unknown keys or
 * `ignoreSslCerts`), instead of `process.emitWarning`. `console` fits, and so do pino, winston and bunyan
 * loggers. Each call passes one string, prefixed with a stable code in brackets, and never a secret.
 *
 * Only `warn` is required; `info` and `debug` are accepted (so a whole logger object can be passed) and used
 * when present for less important news.
 */
export interface ManagedCredentialsLogger {
  /** A problem worth fixing that does not stop the library, e.g. `[ALI_OSS_MC_CONFIG_UnknownKey] unknown key ...`. */
  warn(message: string): unknown;
  /** Routine news. Optional. */
  info?(message: string): unknown;
  /** Detail for troubleshooting. Optional. */
  debug?(message: string): unknown;
}

/** Whether `value` can serve as a {@link ManagedCredentialsLogger} (it has a `warn` method). */
export function isManagedCredentialsLogger(value: unknown): value is ManagedCredentialsLogger {
  return typeof value === 'object' && value !== null && typeof (value as { warn?: unknown }).warn === 'function';
}
