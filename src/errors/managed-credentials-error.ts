/**
 * Base class of every error this library throws on purpose.
 *
 * Each subclass has a stable `name` and a machine-readable `code`, and keeps the underlying error in
 * `cause`. Messages name the key, file or field that is wrong and never contain a secret value.
 *
 * The one way to declare an error class here: a `const` object of codes and a type of the same name
 * ({@link ErrorCodeOf}), and a class that extends this one with that type as `Code`. A class with no fields
 * of its own needs no constructor.
 *
 * @typeParam Code - the class's code strings, e.g. `ProxyBucket.NotReady`
 */
export class ManagedCredentialsError<Code extends string = string> extends Error {
  /** Stable machine-readable code, e.g. `ConfigError.MissingKey`. */
  readonly code: Code;

  /**
   * @param code - stable machine-readable code
   * @param message - human-readable message; must not contain secret values
   * @param options - standard `ErrorOptions` (`cause`)
   */
  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The code strings of a `const` code table: `ErrorCodeOf<typeof ProxyBucketErrorCode>`. */
export type ErrorCodeOf<Table extends Record<string, string>> = Table[keyof Table];
