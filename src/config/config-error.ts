import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link ConfigError}. */
export const ConfigErrorCode = {
  /**
   * A file the configuration needs does not exist: the properties file where one was looked for (with no other
   * configuration), a ClientKey file, a password file. `file` names it.
   */
  FileNotFound: 'ConfigError.FileNotFound',
  /** A file exists but cannot be read (permissions, a directory, ...): properties, ClientKey, password or CA file. */
  UnreadableFile: 'ConfigError.UnreadableFile',
  /** A file is larger than what it may hold (e.g. a password file over 64 KiB); it was not read whole. */
  FileTooLarge: 'ConfigError.FileTooLarge',
  /** The properties file is not valid Java-properties text (e.g. a malformed `\uXXXX` escape). */
  MalformedProperties: 'ConfigError.MalformedProperties',
  /** A JSON-valued key is not valid JSON or not an array of objects, or a ClientKey file is not a JSON object. */
  MalformedJson: 'ConfigError.MalformedJson',
  /** A required key or JSON field (also of a ClientKey file: `KeyId`, `PrivateKeyData`) is missing or empty. */
  MissingKey: 'ConfigError.MissingKey',
  /**
   * A value has the wrong type or is out of range: also a region id or KMS endpoint that is not one, a CA that
   * holds no certificate, or an option of a secret source.
   */
  InvalidValue: 'ConfigError.InvalidValue',
  /** `credentials_type` is not one of the supported values. */
  UnknownCredentialsType: 'ConfigError.UnknownCredentialsType',
  /**
   * Keys that cannot be used together, or a combination that cannot work (e.g. no KMS at all, or a credentials
   * type that cannot sign KMS OpenAPI calls).
   */
  IncompatibleKeys: 'ConfigError.IncompatibleKeys',
  /** No ClientKey password could be found in any of the documented places. */
  PasswordNotFound: 'ConfigError.PasswordNotFound',
  /** The ClientKey's password does not open its PKCS#12 archive. */
  WrongPassword: 'ConfigError.WrongPassword',
  /**
   * The ClientKey cannot be used: `PrivateKeyData` is not a (base64) PKCS#12 archive or holds no private key, a
   * PEM key is not an unencrypted private key, or the key is not RSA. The message says which.
   */
  InvalidClientKey: 'ConfigError.InvalidClientKey',
  /** A KMS endpoint uses plain http; allowed only for loopback test servers. */
  InsecureEndpoint: 'ConfigError.InsecureEndpoint',
  /**
   * The RAM credentials cannot be used: a setting the credentials type needs is missing, or `@alicloud/credentials`
   * refused them. The message names the settings, never their values.
   */
  InvalidCredentials: 'ConfigError.InvalidCredentials',
  /** An optional package the configuration needs (`@alicloud/*`) is not installed; the message names the install command. */
  PackagesMissing: 'ConfigError.PackagesMissing',
  /**
   * A key or JSON field that is not known, close to one whose absence made loading fail: a typo, reported
   * instead of that failure (which is the `cause`). `key` (or `field`) is the name as written.
   */
  UnknownKey: 'ConfigError.UnknownKey',
} as const;

/** One of the {@link ConfigErrorCode} values. */
export type ConfigErrorCode = ErrorCodeOf<typeof ConfigErrorCode>;

/** Where in the configuration a {@link ConfigError} points. */
export interface ConfigErrorLocation {
  /** The configuration key, e.g. `cache_client_dkms_config_info`. */
  key?: string;
  /** For JSON-array keys: the index of the offending entry. */
  index?: number;
  /** For JSON-array keys: the offending field of the entry, e.g. `endpoint`. */
  field?: string;
  /** The file involved (properties file, ClientKey file, password file, CA file), absolute. */
  file?: string;
  /** When `file` is the properties file: the 1-based line where the key concerned starts. */
  line?: number;
}

/**
 * A configuration problem found while loading or validating the provider configuration.
 *
 * The message names the key (with `[index].field` for JSON entries) and the file involved, and for a value
 * read from the properties file the file and line (`file`, `line`). It shows a bad value (cut short) only
 * when the setting is not a secret: never a password, an AccessKey secret, a token, nor the value of a
 * setting that names where a password is (a pasted password would be echoed), so it is safe to log.
 */
export class ConfigError extends ManagedCredentialsError<ConfigErrorCode> {
  /** The configuration key at fault, if any. */
  readonly key: string | undefined;
  /** The index of the JSON array entry at fault, if any. */
  readonly index: number | undefined;
  /** The JSON field at fault, if any. */
  readonly field: string | undefined;
  /** The file involved, if any (absolute path). */
  readonly file: string | undefined;
  /** When `file` is the properties file: the line where the key concerned starts (1-based). */
  readonly line: number | undefined;

  /**
   * @param code - one of {@link ConfigErrorCode}
   * @param message - names the key/field/file; a value only when it is not a secret
   * @param location - key, index, field and file the error points at
   * @param options - `cause`; only pass causes whose message carries no secret
   */
  constructor(code: ConfigErrorCode, message: string, location: ConfigErrorLocation = {}, options?: ErrorOptions) {
    super(code, message, options);
    this.key = location.key;
    this.index = location.index;
    this.field = location.field;
    this.file = location.file;
    this.line = location.line;
  }
}

/** `key`, `key[index]` or `key[index].field`, as used in messages. */
export function describeLocation(location: ConfigErrorLocation): string {
  let text = location.key ?? '(configuration)';
  if (location.index !== undefined) text += `[${location.index}]`;
  if (location.field !== undefined) text += `.${location.field}`;
  return text;
}
