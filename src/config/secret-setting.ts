import type { ConfigErrorLocation } from './config-error.js';
import { configKeySpec } from './config-keys.js';

/**
 * Keys whose value names where a ClientKey password is (a file, a variable): not secret by themselves, but a
 * password pasted there by mistake would be echoed, so their values are treated as secrets in messages.
 */
const PASSWORD_KEYS: ReadonlySet<string> = new Set(['client_key_password_from_file_path', 'client_key_password_from_env_variable']);

/**
 * Fields of a DKMS entry whose value is a password, names where one is, or is other key material the
 * official providers accept (`password`, `privateKey`, `clientKeyContent`).
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'passwordFromFilePath',
  'passwordFromEnvVariable',
  'passwordFromFilePathName',
  'password',
  'privateKey',
  'clientKeyContent',
  // KMS Agent entries: where the token is (a token pasted there by mistake must not be echoed).
  'tokenFromFilePath',
  'tokenFromEnvVariable',
]);

/**
 * Whether the value at `location` must never appear in a message: a secret key of the key table
 * (`credentials_access_secret`, `credentials_access_token`, `client_key_password`), a key or field that
 * names where a password is, or key material in a DKMS entry. Other values are echoed (cut short) in errors.
 */
export function isSecretSetting(location: ConfigErrorLocation): boolean {
  if (location.field !== undefined) return SECRET_FIELDS.has(location.field);
  if (location.key === undefined) return true;
  return PASSWORD_KEYS.has(location.key) || (configKeySpec(location.key)?.secret ?? true);
}
