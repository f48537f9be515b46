import type { SecretInfo } from '../kms/secret-info.js';
import { AccessKeyCredential } from './access-key-credential.js';
import { SecretDataError, SecretDataErrorCode } from './secret-data-error.js';

/** `yyyy-MM-ddTHH:mm:ssZ` as KMS writes it, also with fractional seconds or a numeric offset. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses the SecretData of a managed RAM credential into an {@link AccessKeyCredential}.
 *
 * SecretData is a JSON object with `AccessKeyId` and `AccessKeySecret` (required, non-empty strings) and
 * optionally `SecurityToken`, `GenerateTimestamp` and `ExpireTimestamp` (UTC `yyyy-MM-ddTHH:mm:ssZ`).
 * Unknown fields are ignored; empty or `null` optional fields count as absent.
 *
 * @param info - the secret version (name and version id are copied onto the credential)
 * @throws {@link SecretDataError} naming the secret and field; never containing the SecretData
 */
export function parseAccessKeyCredential(
  info: Pick<SecretInfo, 'secretName' | 'secretData' | 'versionId'>,
): AccessKeyCredential {
  const location = { secretName: info.secretName, versionId: info.versionId };
  const where = `SecretData of secret ${info.secretName}${info.versionId === undefined ? '' : ` (version ${info.versionId})`}`;
  let data: unknown;
  try {
    data = JSON.parse(info.secretData);
  } catch {
    // The SyntaxError quotes the input, so it is deliberately not kept as the cause.
    throw new SecretDataError(SecretDataErrorCode.NotJson, `${where} is not JSON`, location);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SecretDataError(SecretDataErrorCode.NotAnObject, `${where} is not a JSON object`, location);
  }
  const record = data as Record<string, unknown>;

  const required = (field: string): string => {
    const value = record[field];
    if (value === undefined || value === null || value === '') {
      throw new SecretDataError(SecretDataErrorCode.MissingField, `${where} has no ${field}`, { ...location, field });
    }
    if (typeof value !== 'string') {
      throw new SecretDataError(SecretDataErrorCode.InvalidField, `${where}: ${field} must be a string, got ${typeName(value)}`, {
        ...location,
        field,
      });
    }
    if (/\s/.test(value)) {
      throw new SecretDataError(SecretDataErrorCode.InvalidField, `${where}: ${field} contains whitespace`, { ...location, field });
    }
    return value;
  };
  const optionalString = (field: string): string | undefined => {
    const value = record[field];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      throw new SecretDataError(SecretDataErrorCode.InvalidField, `${where}: ${field} must be a string, got ${typeName(value)}`, {
        ...location,
        field,
      });
    }
    return value;
  };
  const optionalTimestamp = (field: string): number | undefined => {
    const value = optionalString(field);
    if (value === undefined) return undefined;
    const ms = ISO_TIMESTAMP.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new SecretDataError(SecretDataErrorCode.InvalidField, `${where}: ${field} is not a UTC timestamp like 2026-01-01T00:00:00Z`, {
        ...location,
        field,
      });
    }
    return ms;
  };

  return new AccessKeyCredential({
    accessKeyId: required('AccessKeyId'),
    accessKeySecret: required('AccessKeySecret'),
    securityToken: optionalString('SecurityToken'),
    generatedAtMs: optionalTimestamp('GenerateTimestamp'),
    expiresAtMs: optionalTimestamp('ExpireTimestamp'),
    secretName: info.secretName,
    versionId: info.versionId,
  });
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
