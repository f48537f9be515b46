import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/** Stable codes of {@link ClientKeyError}; the key of each is its {@link ClientKeyErrorReason}. */
export const ClientKeyErrorCode = {
  /** The ClientKey file does not exist. */
  FileNotFound: 'ClientKeyError.FileNotFound',
  /** The ClientKey (or password) file exists but cannot be read. */
  FileUnreadable: 'ClientKeyError.FileUnreadable',
  /** The ClientKey JSON is not valid JSON. */
  MalformedJson: 'ClientKeyError.MalformedJson',
  /** A required field of the ClientKey JSON (`KeyId`, `PrivateKeyData`) is missing. */
  MissingField: 'ClientKeyError.MissingField',
  /** `PrivateKeyData` is not a PKCS#12 archive. */
  InvalidPkcs12: 'ClientKeyError.InvalidPkcs12',
  /** The password does not open the PKCS#12 archive. */
  WrongPassword: 'ClientKeyError.WrongPassword',
  /** The archive holds no private key. */
  NoPrivateKey: 'ClientKeyError.NoPrivateKey',
  /** A key given as PEM (not from a ClientKey file) is not an unencrypted PEM private key. */
  InvalidPrivateKey: 'ClientKeyError.InvalidPrivateKey',
  /** The private key is not an RSA key. */
  UnsupportedKeyType: 'ClientKeyError.UnsupportedKeyType',
} as const;

/** One of the {@link ClientKeyErrorCode} values. */
export type ClientKeyErrorCode = (typeof ClientKeyErrorCode)[keyof typeof ClientKeyErrorCode];

/** Why a ClientKey could not be loaded; the suffix of {@link ClientKeyError.code}. */
export type ClientKeyErrorReason = keyof typeof ClientKeyErrorCode;

/**
 * A ClientKey (JSON file or content, PKCS#12, password file or PEM key) could not be loaded. `code` is
 * `ClientKeyError.<reason>`; the message names the file (or "client key content") and the field, never
 * the password or key material.
 */
export class ClientKeyError extends ManagedCredentialsError {
  /** One of {@link ClientKeyErrorCode}. */
  declare readonly code: ClientKeyErrorCode;
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
    super(ClientKeyErrorCode[reason], message, options);
    this.reason = reason;
    this.source = source;
  }
}
