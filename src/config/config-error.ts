import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link ConfigError}. */
export const ConfigErrorCode = {
  /** No properties file where one was looked for, and no other configuration. */
  FileNotFound: 'ConfigError.FileNotFound',
  /** A file exists but cannot be read (permissions, a directory, ...). */
  UnreadableFile: 'ConfigError.UnreadableFile',
  /** A file is larger than what it may hold (e.g. a password file over 64 KiB); it was not read whole. */
  FileTooLarge: 'ConfigError.FileTooLarge',
  /** The properties file is not valid Java-properties text (e.g. a malformed `\uXXXX` escape). */
  MalformedProperties: 'ConfigError.MalformedProperties',
  /** A JSON-valued key is not valid JSON, or not an array of objects. */
  MalformedJson: 'ConfigError.MalformedJson',
  /** A required key or JSON field is missing. */
  MissingKey: 'ConfigError.MissingKey',
  /** A value has the wrong type or is out of range. */
  InvalidValue: 'ConfigError.InvalidValue',
  /** `credentials_type` is not one of the supported values. */
  UnknownCredentialsType: 'ConfigError.UnknownCredentialsType',
  /** Keys that cannot be used together, or a combination that cannot work (e.g. no KMS at all). */
  IncompatibleKeys: 'ConfigError.IncompatibleKeys',
  /** No ClientKey password could be found in any of the documented places. */
  PasswordNotFound: 'ConfigError.PasswordNotFound',
  /**
   * A key or JSON field that is not known, close to one whose absence made loading fail: a typo, reported
   * instead of that failure (which is the `cause`). `key` (or `field`) is the name as written.
   */
  UnknownKey: 'ConfigError.UnknownKey',
} as const;

/** One of the {@link ConfigErrorCode} values. */
export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** Where in the configuration a {@link ConfigError} points. */
export interface ConfigErrorLocation {
  /** The configuration key, e.g. `cache_client_dkms_config_info`. */
  key?: string;
  /** For JSON-array keys: the index of the offending entry. */
  index?: number;
  /** For JSON-array keys: the offending field of the entry, e.g. `endpoint`. */
  field?: string;
  /** The file involved (properties file, key file, password file, CA file), absolute. */
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
export class ConfigError extends ManagedCredentialsError {
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
