/**
 * Where this library writes what it has to tell (today: configuration warnings such as unknown keys or
 * `ignoreSslCerts`), instead of `process.emitWarning`. `console` fits, and so do pino, winston and bunyan
 * loggers. Each call passes one string, prefixed with a stable code in brackets, and never a secret.
 *
 * Only `warn` is required and, in this version, the only method called; `info` and `debug` are part of the
 * shape so a whole logger object fits and later, less important news has a place to go.
 */
export interface ManagedCredentialsLogger {
  /** A problem worth fixing that does not stop the library, e.g. `[ALI_OSS_MC_CONFIG_UnknownKey] unknown key ...`. */
  warn(message: string): unknown;
  /** Routine news. Optional; not called yet. */
  info?(message: string): unknown;
  /** Detail for troubleshooting. Optional; not called yet. */
  debug?(message: string): unknown;
}

/** Whether `value` can serve as a {@link ManagedCredentialsLogger} (it has a `warn` method). */
export function isManagedCredentialsLogger(value: unknown): value is ManagedCredentialsLogger {
  return typeof value === 'object' && value !== null && typeof (value as { warn?: unknown }).warn === 'function';
}
