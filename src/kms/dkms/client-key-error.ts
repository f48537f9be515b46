import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/** Why a ClientKey could not be loaded; the suffix of {@link ClientKeyError.code}. */
export type ClientKeyErrorReason =
  | 'FileNotFound'
  | 'FileUnreadable'
  | 'MalformedJson'
  | 'MissingField'
  | 'InvalidPkcs12'
  | 'WrongPassword'
  | 'NoPrivateKey'
  | 'InvalidPrivateKey'
  | 'UnsupportedKeyType';

/**
 * A ClientKey (JSON file or content, PKCS#12, password file or PEM key) could not be loaded. `code` is
 * `ClientKeyError.<reason>`; the message names the file (or "client key content") and the field, never
 * the password or key material.
 */
export class ClientKeyError extends ManagedCredentialsError {
  /** The reason, e.g. `WrongPassword`. */
  readonly reason: ClientKeyErrorReason;
  /** The file path, or `client key content`. */
  readonly source: string;

  /**
   * @param reason - what went wrong
   * @param source - file path or `client key content`
   * @param message - secret-free message
   * @param options - `cause` (only errors that cannot contain secrets)
   */
  constructor(reason: ClientKeyErrorReason, source: string, message: string, options?: ErrorOptions) {
    super(`ClientKeyError.${reason}`, message, options);
    this.reason = reason;
    this.source = source;
  }
}
