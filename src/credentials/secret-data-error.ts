import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link SecretDataError}. */
export const SecretDataErrorCode = {
  /** SecretData is not JSON. */
  NotJson: 'SecretData.NotJson',
  /** SecretData is JSON but not an object (`[]`, `"text"`, `42`, `null`). */
  NotAnObject: 'SecretData.NotAnObject',
  /** A required field (`AccessKeyId`, `AccessKeySecret`) is missing or empty. */
  MissingField: 'SecretData.MissingField',
  /** A field has the wrong type or format. */
  InvalidField: 'SecretData.InvalidField',
} as const;

/** One of the {@link SecretDataErrorCode} values. */
export type SecretDataErrorCode = ErrorCodeOf<typeof SecretDataErrorCode>;

/**
 * The SecretData of a secret cannot be used as an AccessKey (malformed JSON, a missing or wrongly typed
 * field). The message names the secret, its version and the field; it never contains the SecretData or any
 * part of it, and no `cause` is attached (a `JSON.parse` error quotes its input).
 */
export class SecretDataError extends ManagedCredentialsError<SecretDataErrorCode> {
  /** The secret whose data is unusable, when known. */
  readonly secretName: string | undefined;
  /** The KMS version id of that data, when known. */
  readonly versionId: string | undefined;
  /** The SecretData field at fault, if any (e.g. `AccessKeySecret`). */
  readonly field: string | undefined;

  /**
   * @param code - one of {@link SecretDataErrorCode}
   * @param message - names the secret and field, never a value
   * @param location - secret name, version id and field
   */
  constructor(
    code: SecretDataErrorCode,
    message: string,
    location: { secretName?: string | undefined; versionId?: string | undefined; field?: string | undefined } = {},
  ) {
    super(code, message);
    this.secretName = location.secretName;
    this.versionId = location.versionId;
    this.field = location.field;
  }
}
