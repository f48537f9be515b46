/**
 * Base class of every error this library throws on purpose.
 *
 * Each subclass has a stable `name` and a machine-readable `code`, and keeps the underlying error in
 * `cause`. Messages name the key, file or field that is wrong and never contain a secret value.
 */
export class ManagedCredentialsError extends Error {
  /** Stable machine-readable code, e.g. `ConfigError.MissingKey`. */
  readonly code: string;

  /**
   * @param code - stable machine-readable code
   * @param message - human-readable message; must not contain secret values
   * @param options - standard `ErrorOptions` (`cause`)
   */
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
