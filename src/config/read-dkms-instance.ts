import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import { DKMS_ENTRY_FIELDS, IGNORED_DKMS_FIELDS, configKeySpec, entryFieldDefault } from './config-keys.js';
import type { ConfigSettings } from './config-setting.js';
import {
  expectBoolean,
  expectEndpoint,
  expectEnvVarName,
  expectInteger,
  expectReadableFile,
  expectRegionId,
  expectString,
  invalid,
  resolvePath,
} from './config-values.js';
import { defineSecret } from './define-secret.js';
import type { ConfigWarning, DkmsInstanceConfig } from './provider-config.js';
import { optionalField, requireField, warnUnknownFields, type JsonObject } from './read-json-array.js';
import { resolveClientKeyPassword, type PasswordStep } from './resolve-client-key-password.js';
import type { ResolveContext } from './resolve-provider-config.js';
import { envLabel, topLevelPasswordSteps } from './top-level-password-steps.js';

type Settings = ConfigSettings;

/**
 * Validates entry `index` of `cache_client_dkms_config_info` (a KMS instance with its ClientKey) and resolves
 * its ClientKey password (entry fields first, then the top-level password keys).
 */
export function readDkmsInstance(
  entry: JsonObject,
  index: number,
  baseDir: string,
  settings: Settings,
  context: ResolveContext,
  warnings: ConfigWarning[],
): DkmsInstanceConfig {
  const env = context.env;
  const key = 'cache_client_dkms_config_info';
  warnUnknownFields(key, index, entry, DKMS_ENTRY_FIELDS, IGNORED_DKMS_FIELDS, warnings);
  const at = (name: string) => ({ key, index, field: name });
  const regionId = expectRegionId(requireField(entry, at('regionId')), at('regionId'));
  const endpoint = expectEndpoint(requireField(entry, at('endpoint')), at('endpoint'));
  const clientKeyFile = expectReadableFile(requireField(entry, at('clientKeyFile')), at('clientKeyFile'), baseDir);
  const ignoreValue = optionalField(entry, 'ignoreSslCerts');
  const ignoreSslCerts = ignoreValue === undefined ? false : expectBoolean(ignoreValue, at('ignoreSslCerts'));
  const caFilePath = readDkmsCaFile(entry, baseDir, at);
  const connectValue = optionalField(entry, 'connectTimeout');
  const readValue = optionalField(entry, 'readTimeout');

  const steps: PasswordStep[] = [];
  const fileValue = optionalField(entry, 'passwordFromFilePath');
  if (fileValue !== undefined) {
    const path = resolvePath(expectString(fileValue, at('passwordFromFilePath')), baseDir);
    steps.push({ kind: 'file', path, label: `passwordFromFilePath (${path})`, location: at('passwordFromFilePath') });
  }
  const envValue = optionalField(entry, 'passwordFromEnvVariable');
  if (envValue !== undefined) {
    const name = expectEnvVarName(envValue, at('passwordFromEnvVariable'));
    steps.push({ kind: 'env', name, label: envLabel(name, 'passwordFromEnvVariable') });
  }
  const namedStep = passwordFileNamedByProperty(entry, settings, context, at('passwordFromFilePathName'));
  if (namedStep !== undefined) steps.push(namedStep);
  steps.push(...topLevelPasswordSteps(settings));
  const { password, source } = resolveClientKeyPassword(steps, env, { key, index });

  if (ignoreSslCerts) {
    warnings.push({
      code: 'InsecureTls',
      key,
      index,
      message:
        `${key}[${index}].ignoreSslCerts is true: the TLS certificate of ${endpoint} is not verified. ` +
        'Use caFilePath instead outside of tests',
    });
  }
  const instance = {
    regionId,
    endpoint,
    clientKeyFile,
    passwordSource: source,
    ignoreSslCerts,
    ...(caFilePath === undefined ? {} : { caFilePath }),
    connectTimeoutMs:
      connectValue === undefined ? entryFieldDefault(DKMS_ENTRY_FIELDS, 'connectTimeout') : expectInteger(connectValue, at('connectTimeout'), 1),
    readTimeoutMs:
      readValue === undefined ? entryFieldDefault(DKMS_ENTRY_FIELDS, 'readTimeout') : expectInteger(readValue, at('readTimeout'), 1),
  };
  return defineSecret(instance, 'password', password) as DkmsInstanceConfig;
}

/**
 * The CA file of a DKMS entry: `caFilePath`, or `caCert` as the Go provider's files spell it (a path too).
 * Both may be set only to the same file.
 */
function readDkmsCaFile(
  entry: JsonObject,
  baseDir: string,
  at: (name: string) => ConfigErrorLocation & { field: string },
): string | undefined {
  const caFileValue = optionalField(entry, 'caFilePath');
  const caCertValue = optionalField(entry, 'caCert');
  const fromCaFilePath = caFileValue === undefined ? undefined : expectReadableFile(caFileValue, at('caFilePath'), baseDir);
  if (caCertValue === undefined) return fromCaFilePath;
  if (typeof caCertValue === 'string' && caCertValue.includes('-----BEGIN')) {
    throw invalid(at('caCert'), 'holds PEM text; this library reads caCert as the path of the CA file: save the PEM to a file and put its path here');
  }
  const fromCaCert = expectReadableFile(caCertValue, at('caCert'), baseDir);
  if (fromCaFilePath !== undefined && fromCaFilePath !== fromCaCert) {
    throw new ConfigError(
      ConfigErrorCode.IncompatibleKeys,
      `${describeLocation(at('caCert'))} and caFilePath name different files (${fromCaCert}, ${fromCaFilePath}); keep one`,
      at('caCert'),
    );
  }
  return fromCaCert;
}

/**
 * The password step of `passwordFromFilePathName`, as in the official providers' files: the NAME of a
 * property (usually `client_key_password_from_file_path`) whose value is the password file's path. The
 * property is a configuration key (from code, environment or file) or another property of the file.
 */
function passwordFileNamedByProperty(
  entry: JsonObject,
  settings: Settings,
  context: ResolveContext,
  location: ConfigErrorLocation & { field: string },
): PasswordStep | undefined {
  const value = optionalField(entry, location.field);
  if (value === undefined) return undefined;
  const property = expectString(value, location);
  const holder = settings.get(property) ?? context.otherFileProperties?.get(property);
  if (holder === undefined || (typeof holder.value === 'string' && holder.value.trim() === '')) {
    // Its value may be a password put in the wrong place: shown only when it is one of our key names.
    const named = configKeySpec(property) === undefined ? 'a property' : `the property "${property}"`;
    throw new ConfigError(
      ConfigErrorCode.MissingKey,
      `${describeLocation(location)} names ${named} that is not set (it should hold the path of the ClientKey ` +
        'password file)' + (named === 'a property' ? '; the name is not shown, in case it is a password' : ''),
      location,
    );
  }
  // It is used, so it is not an unknown key.
  for (let i = context.warnings.length - 1; i >= 0; i--) {
    const warning = context.warnings[i]!;
    if (warning.code === 'UnknownKey' && warning.key === property) context.warnings.splice(i, 1);
  }
  const path = resolvePath(expectString(holder.value, { key: property }), holder.baseDir);
  return {
    kind: 'file',
    path,
    label: `${property} (${path}, named by passwordFromFilePathName)`,
    location,
    setting: `${property} (named by ${describeLocation(location)})`,
  };
}
