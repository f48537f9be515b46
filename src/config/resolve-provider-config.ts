import { isAbsolute, resolve } from 'node:path';
import { closestName } from './closest-name.js';
import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import {
  CONFIG_KEYS,
  CREDENTIALS_TYPES,
  DKMS_ENTRY_FIELDS,
  IGNORED_DKMS_FIELDS,
  REGION_ENTRY_FIELDS,
  configKeySpec,
  type ConfigJsonFieldSpec,
} from './config-keys.js';
import type { ConfigSetting } from './config-setting.js';
import {
  describeType,
  expectBoolean,
  expectEndpoint,
  expectEnvVarName,
  expectInteger,
  expectReadableFile,
  expectString,
  invalid,
} from './config-values.js';
import { defineSecret } from './define-secret.js';
import type {
  CacheSettings,
  ConfigOrigin,
  ConfigWarning,
  DkmsInstanceConfig,
  ProviderConfig,
  RegionConfig,
} from './provider-config.js';
import type { RamCredentialsConfig } from './ram-credentials-config.js';
import { resolveClientKeyPassword, type PasswordStep } from './resolve-client-key-password.js';

/** Inputs of {@link resolveProviderConfig} besides the settings. */
export interface ResolveContext {
  /** Environment, for password variables. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The properties file read, if any (absolute). */
  readonly configFile?: string;
  /** Warnings collected so far (unknown keys...); more are appended. */
  readonly warnings: ConfigWarning[];
  /**
   * Properties of the file that are not configuration keys, by name: a DKMS entry's
   * `passwordFromFilePathName` may name one (their `UnknownKey` warning is then dropped).
   */
  readonly otherFileProperties?: ReadonlyMap<string, ConfigSetting>;
}

type Settings = ReadonlyMap<string, ConfigSetting>;
type JsonObject = Record<string, unknown>;

/**
 * Validates the merged settings (one winning value per key) and builds the {@link ProviderConfig}.
 * Throws {@link ConfigError} for every problem; never echoes a value.
 */
export function resolveProviderConfig(settings: Settings, context: ResolveContext): ProviderConfig {
  const warnings = context.warnings;
  const env = context.env;

  checkValueTypes(settings);
  for (const setting of settings.values()) {
    const spec = configKeySpec(setting.key);
    if (spec?.ignored === true) {
      warnings.push({
        code: 'IgnoredKey',
        key: setting.key,
        message: `${setting.key} is ${spec.ignoredReason ?? 'read by the official providers only'}; ignored here`,
      });
    }
  }

  const regions = readJsonArray(settings, 'cache_client_region_id', warnings).map((entry, index) =>
    readRegion(entry.value, index, entry.baseDir, warnings),
  );
  const dkmsEntries = readJsonArray(settings, 'cache_client_dkms_config_info', warnings);
  if (dkmsEntries.length === 0 && regions.length === 0) {
    throw new ConfigError(
      ConfigErrorCode.IncompatibleKeys,
      'no KMS configured: set cache_client_dkms_config_info (KMS instances) or cache_client_region_id (KMS regions)',
      { key: 'cache_client_dkms_config_info' },
    );
  }
  const dkmsInstances = dkmsEntries.map((entry, index) =>
    readDkmsInstance(entry.value, index, entry.baseDir, settings, context, warnings),
  );
  warnDuplicateEndpoints('cache_client_dkms_config_info', dkmsInstances, warnings);
  warnDuplicateEndpoints('cache_client_region_id', regions.filter((region) => region.endpoint !== undefined), warnings);

  const credentials = readCredentials(settings, regions.length > 0, env, warnings);
  const cache = readCacheSettings(settings);
  const secretNames = readSecretNames(settings);

  const origins: Record<string, ConfigOrigin> = {};
  for (const spec of CONFIG_KEYS) {
    const setting = settings.get(spec.name);
    if (setting !== undefined) origins[spec.name] = setting.source;
    else if ('defaultValue' in spec) origins[spec.name] = 'default';
  }

  const config: ProviderConfig = {
    dkmsInstances,
    regions,
    ...(credentials === undefined ? {} : { credentials }),
    cache,
    secretNames,
    ...(context.configFile === undefined ? {} : { configFile: context.configFile }),
    origins,
    warnings: [...warnings],
  };
  return deepFreeze(config);
}

/** Every set key is checked for its type, even when the rest of the configuration does not use it. */
function checkValueTypes(settings: Settings): void {
  for (const setting of settings.values()) {
    const spec = configKeySpec(setting.key);
    const location = { key: setting.key };
    switch (spec?.type) {
      case 'string':
      case 'path':
      case 'enum':
        expectString(setting.value, location);
        break;
      case 'env-var-name':
        expectEnvVarName(setting.value, location);
        break;
      case 'duration-ms':
      case 'count':
        expectInteger(setting.value, location, spec.min ?? 0, spec.max);
        break;
      default:
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------- JSON arrays

function readJsonArray(
  settings: Settings,
  key: string,
  warnings: ConfigWarning[],
): { value: JsonObject; baseDir: string }[] {
  const setting = settings.get(key);
  if (setting === undefined) return [];
  let array: unknown = setting.value;
  if (typeof array === 'string') array = parseJsonText(setting, warnings);
  if (!Array.isArray(array)) {
    throw new ConfigError(ConfigErrorCode.MalformedJson, `${key} must be a JSON array of objects, got ${describeType(array)}`, {
      key,
    });
  }
  return array.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(
        ConfigErrorCode.MalformedJson,
        `${key}[${index}] must be a JSON object, got ${describeType(entry)}`,
        { key, index },
      );
    }
    return { value: entry as JsonObject, baseDir: setting.baseDir };
  });
}

function parseJsonText(setting: ConfigSetting, warnings: ConfigWarning[]): unknown {
  const text = setting.value as string;
  try {
    return JSON.parse(text);
  } catch (error) {
    // Python-style files are not unescaped: `C:\\keys` there means what Java spells `C:\\\\keys`.
    if (setting.rawFileValue !== undefined && setting.rawFileValue !== text) {
      try {
        const parsed: unknown = JSON.parse(setting.rawFileValue);
        warnings.push({
          code: 'PythonStyleEscapes',
          key: setting.key,
          message:
            `${setting.key} is valid JSON only as written, without Java backslash escapes; read it that way. ` +
            'Double each backslash to make the file valid for Java too',
        });
        return parsed;
      } catch {
        // Report the Java reading's error below.
      }
    }
    const detail = error instanceof SyntaxError ? positionOf(error.message) : '';
    throw new ConfigError(
      ConfigErrorCode.MalformedJson,
      `${setting.key} is not valid JSON${detail}` +
        (setting.source === 'file' ? ' (in the properties file, a backslash must be written as \\\\)' : ''),
      { key: setting.key },
    );
  }
}

/** Only the position from a JSON.parse message: the rest may quote the (possibly secret) text. */
function positionOf(message: string): string {
  const match = /position (\d+)/.exec(message);
  return match === null ? '' : ` (at position ${match[1]})`;
}

function warnUnknownFields(
  key: string,
  index: number,
  entry: JsonObject,
  fields: readonly ConfigJsonFieldSpec[],
  ignored: readonly string[],
  warnings: ConfigWarning[],
): void {
  const known = fields.map((field) => field.name);
  for (const name of Object.keys(entry)) {
    if (known.includes(name)) continue;
    if (ignored.includes(name)) {
      warnings.push({
        code: 'IgnoredField',
        key,
        index,
        message: `${key}[${index}].${name} is accepted by the official providers but ignored here`,
      });
      continue;
    }
    const suggestion = closestName(name, known);
    warnings.push({
      code: 'UnknownField',
      key,
      index,
      message:
        `${key}[${index}] has an unknown field "${name}"` + (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
    });
  }
}

function field(entry: JsonObject, name: string): unknown {
  return Object.hasOwn(entry, name) ? entry[name] : undefined;
}

function requireField(entry: JsonObject, location: ConfigErrorLocation & { field: string }): unknown {
  const value = field(entry, location.field);
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new ConfigError(ConfigErrorCode.MissingKey, `${describeLocation(location)} is required`, location);
  }
  return value;
}

function optionalField(entry: JsonObject, name: string): unknown {
  const value = field(entry, name);
  return value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;
}

// ---------------------------------------------------------------------------------------------- entries

function readRegion(entry: JsonObject, index: number, baseDir: string, warnings: ConfigWarning[]): RegionConfig {
  const key = 'cache_client_region_id';
  warnUnknownFields(key, index, entry, REGION_ENTRY_FIELDS, [], warnings);
  const at = (name: string) => ({ key, index, field: name });
  const regionId = expectRegionId(requireField(entry, at('regionId')), at('regionId'));
  const endpointValue = optionalField(entry, 'endpoint');
  const vpcValue = optionalField(entry, 'vpc');
  const caValue = optionalField(entry, 'caFilePath');
  const region: RegionConfig = {
    regionId,
    ...(endpointValue === undefined ? {} : { endpoint: expectEndpoint(endpointValue, at('endpoint')) }),
    vpc: vpcValue === undefined ? false : expectBoolean(vpcValue, at('vpc')),
    ...(caValue === undefined ? {} : { caFilePath: expectReadableFile(caValue, at('caFilePath'), baseDir) }),
  };
  if (region.vpc && region.endpoint !== undefined) {
    warnings.push({
      code: 'IgnoredField',
      key,
      index,
      message: `${key}[${index}].vpc is ignored because an endpoint is given`,
    });
  }
  return region;
}

function readDkmsInstance(
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
    ...(connectValue === undefined ? {} : { connectTimeoutMs: expectInteger(connectValue, at('connectTimeout'), 1) }),
    ...(readValue === undefined ? {} : { readTimeoutMs: expectInteger(readValue, at('readTimeout'), 1) }),
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
    throw new ConfigError(
      ConfigErrorCode.MissingKey,
      `${describeLocation(location)} names the property ${JSON.stringify(property)}, which is not set ` +
        '(it should hold the path of the ClientKey password file)',
      location,
    );
  }
  // It is used, so it is not an unknown key.
  for (let i = context.warnings.length - 1; i >= 0; i--) {
    const warning = context.warnings[i]!;
    if (warning.code === 'UnknownKey' && warning.key === property) context.warnings.splice(i, 1);
  }
  const path = resolvePath(expectString(holder.value, { key: property }), holder.baseDir);
  return { kind: 'file', path, label: `${property} (${path}, named by passwordFromFilePathName)`, location };
}

function expectRegionId(value: unknown, location: ConfigErrorLocation): string {
  const regionId = expectString(value, location);
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(regionId)) throw invalid(location, 'must be a region id like cn-hangzhou');
  return regionId;
}

/** The top-level password places, in order: file, env var named by the key, `client_key_password`. */
function topLevelPasswordSteps(settings: Settings): PasswordStep[] {
  const steps: PasswordStep[] = [];
  const file = settings.get('client_key_password_from_file_path');
  if (file !== undefined) {
    const location = { key: file.key };
    const path = resolvePath(expectString(file.value, location), file.baseDir);
    steps.push({ kind: 'file', path, label: `client_key_password_from_file_path (${path})`, location });
  }
  const envName = settings.get('client_key_password_from_env_variable');
  if (envName !== undefined) {
    const name = expectEnvVarName(envName.value, { key: envName.key });
    steps.push({ kind: 'env', name, label: envLabel(name, 'client_key_password_from_env_variable') });
  }
  const direct = settings.get('client_key_password');
  if (direct?.source === 'code') {
    steps.push({ kind: 'value', value: expectString(direct.value, { key: direct.key }), label: 'client_key_password (code)' });
  } else {
    steps.push({ kind: 'env', name: 'client_key_password', label: 'env client_key_password' });
  }
  return steps;
}

/**
 * `env NAME (via)`. Only conventional upper-case names are shown: a mixed-case "name" may be a password put
 * where the variable's name belongs, and this label ends up in error messages.
 */
function envLabel(name: string, via: string): string {
  return /^[A-Z_][A-Z0-9_]*$/.test(name) ? `env ${name} (${via})` : `the env var named by ${via}`;
}

function warnDuplicateEndpoints(
  key: string,
  entries: readonly { endpoint?: string }[],
  warnings: ConfigWarning[],
): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry.endpoint === undefined) return;
    const first = seen.get(entry.endpoint);
    if (first === undefined) seen.set(entry.endpoint, index);
    else {
      warnings.push({
        code: 'DuplicateEntry',
        key,
        index,
        message: `${key}[${index}] has the same endpoint as ${key}[${first}]`,
      });
    }
  });
}

function resolvePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

// ---------------------------------------------------------------------------------------------- credentials

const CREDENTIAL_KEYS_BY_TYPE: Record<string, readonly string[]> = {
  ak: ['credentials_access_key_id', 'credentials_access_secret'],
  token: ['credentials_access_token_id', 'credentials_access_token'],
  sts: [
    'credentials_access_key_id',
    'credentials_access_secret',
    'credentials_role_arn',
    'credentials_role_session_name',
    'credentials_policy',
    'credentials_duration_seconds',
    'credentials_sts_endpoint',
  ],
  ecs_ram_role: ['credentials_role_name'],
  client_key: [
    'client_key_private_key_path',
    'client_key_password_from_file_path',
    'client_key_password_from_env_variable',
    'client_key_password',
  ],
  oidc_role_arn: [
    'credentials_role_arn',
    'credentials_oidc_provider_arn',
    'credentials_oidc_token_file_path',
    'credentials_role_session_name',
    'credentials_policy',
    'credentials_duration_seconds',
    'credentials_sts_region_id',
    'credentials_sts_endpoint',
  ],
  default: [],
};
CREDENTIAL_KEYS_BY_TYPE.ram_role = CREDENTIAL_KEYS_BY_TYPE.sts ?? [];

/** Keys that only matter for the RAM identity (the client-key password keys also serve DKMS entries). */
const IDENTITY_ONLY_KEYS = CONFIG_KEYS.map((spec) => spec.name as string).filter(
  (name) => name.startsWith('credentials_') || name === 'client_key_private_key_path',
);

function readCredentials(
  settings: Settings,
  hasRegions: boolean,
  env: Readonly<Record<string, string | undefined>>,
  warnings: ConfigWarning[],
): RamCredentialsConfig | undefined {
  const typeSetting = settings.get('credentials_type');
  let type = 'default';
  if (typeSetting !== undefined) {
    const value = expectString(typeSetting.value, { key: 'credentials_type' }).toLowerCase();
    if (!(CREDENTIALS_TYPES as readonly string[]).includes(value)) {
      throw new ConfigError(
        ConfigErrorCode.UnknownCredentialsType,
        `credentials_type is not supported; use one of ${CREDENTIALS_TYPES.join(', ')} (or leave it unset for the default credential chain)`,
        { key: 'credentials_type' },
      );
    }
    type = value;
  }

  const setIdentityKeys = IDENTITY_ONLY_KEYS.filter((name) => settings.has(name));
  if (!hasRegions) {
    if (setIdentityKeys.length > 0) {
      warnings.push({
        code: 'IgnoredKey',
        key: setIdentityKeys[0],
        message: `${setIdentityKeys.join(', ')} only apply to cache_client_region_id, which is not set; ignored`,
      });
    }
    return undefined;
  }
  const used = CREDENTIAL_KEYS_BY_TYPE[type] ?? [];
  for (const name of setIdentityKeys) {
    if (name !== 'credentials_type' && !used.includes(name)) {
      warnings.push({ code: 'IgnoredKey', key: name, message: `${name} is not used by credentials_type ${type}; ignored` });
    }
  }

  const text = (name: string): string => {
    const setting = settings.get(name);
    if (setting === undefined) {
      throw new ConfigError(ConfigErrorCode.MissingKey, `${name} is required for credentials_type ${type}`, { key: name });
    }
    return expectString(setting.value, { key: name });
  };
  const optionalText = (name: string): string | undefined =>
    settings.has(name) ? text(name) : undefined;
  const optionalInteger = (name: string): number | undefined => {
    const setting = settings.get(name);
    return setting === undefined ? undefined : expectInteger(setting.value, { key: name }, configKeySpec(name)?.min ?? 0, configKeySpec(name)?.max);
  };
  const optionalFile = (name: string): string | undefined => {
    const setting = settings.get(name);
    return setting === undefined ? undefined : expectReadableFile(setting.value, { key: name }, setting.baseDir);
  };
  const compact = <T extends object>(object: T): T =>
    Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

  switch (type) {
    case 'ak':
    case 'token': {
      const [idKey, secretKey] = type === 'ak'
        ? ['credentials_access_key_id', 'credentials_access_secret']
        : ['credentials_access_token_id', 'credentials_access_token'];
      const accessKeyId = text(idKey);
      return defineSecret({ type: 'ak' as const, accessKeyId }, 'accessKeySecret', text(secretKey)) as RamCredentialsConfig;
    }
    case 'sts':
    case 'ram_role': {
      const visible = compact({
        type: type as 'sts' | 'ram_role',
        accessKeyId: text('credentials_access_key_id'),
        roleArn: text('credentials_role_arn'),
        roleSessionName: text('credentials_role_session_name'),
        policy: optionalText('credentials_policy'),
        durationSeconds: optionalInteger('credentials_duration_seconds'),
        stsEndpoint: optionalText('credentials_sts_endpoint'),
      });
      return defineSecret(visible, 'accessKeySecret', text('credentials_access_secret')) as RamCredentialsConfig;
    }
    case 'ecs_ram_role':
      return compact({ type: 'ecs_ram_role' as const, roleName: optionalText('credentials_role_name') });
    case 'client_key': {
      const setting = settings.get('client_key_private_key_path');
      if (setting === undefined) {
        throw new ConfigError(ConfigErrorCode.MissingKey, 'client_key_private_key_path is required for credentials_type client_key', {
          key: 'client_key_private_key_path',
        });
      }
      const privateKeyPath = expectReadableFile(setting.value, { key: setting.key }, setting.baseDir);
      const { password, source } = resolveClientKeyPassword(topLevelPasswordSteps(settings), env, {
        key: 'credentials_type',
      });
      return defineSecret({ type: 'client_key' as const, privateKeyPath, passwordSource: source }, 'password', password) as RamCredentialsConfig;
    }
    case 'oidc_role_arn':
      return compact({
        type: 'oidc_role_arn' as const,
        roleArn: optionalText('credentials_role_arn'),
        oidcProviderArn: optionalText('credentials_oidc_provider_arn'),
        oidcTokenFilePath: optionalFile('credentials_oidc_token_file_path'),
        roleSessionName: optionalText('credentials_role_session_name'),
        policy: optionalText('credentials_policy'),
        durationSeconds: optionalInteger('credentials_duration_seconds'),
        stsRegionId: optionalText('credentials_sts_region_id'),
        stsEndpoint: optionalText('credentials_sts_endpoint'),
      });
    default:
      return { type: 'default' };
  }
}

// ---------------------------------------------------------------------------------------------- cache, names

function readCacheSettings(settings: Settings): CacheSettings {
  const read = (name: string): number => {
    const spec = configKeySpec(name);
    const setting = settings.get(name);
    if (setting === undefined) return spec?.defaultValue ?? 0;
    return expectInteger(setting.value, { key: name }, spec?.min ?? 0, spec?.max);
  };
  const cache: CacheSettings = {
    rotationIntervalMs: read('rotation_interval'),
    delayIntervalMs: read('delay_interval'),
    refreshJitterMaxMs: read('refresh_jitter_max'),
    defaultRefreshIntervalMs: read('default_refresh_interval'),
    refreshBackoffBaseMs: read('refresh_backoff_base'),
    refreshBackoffCapMs: read('refresh_backoff_cap'),
    maxStalenessMs: read('max_staleness'),
    recoveryMinIntervalMs: read('recovery_min_interval'),
    recoveryBackoffCapMs: read('recovery_backoff_cap'),
    fetchTimeoutMs: read('fetch_timeout'),
  };
  if (cache.refreshBackoffCapMs < cache.refreshBackoffBaseMs) {
    throw invalid({ key: 'refresh_backoff_cap' }, 'must not be less than refresh_backoff_base');
  }
  return cache;
}

function readSecretNames(settings: Settings): string[] {
  const setting = settings.get('secret_names');
  if (setting === undefined) return [];
  const location = { key: 'secret_names' };
  let names: unknown[];
  if (typeof setting.value === 'string') names = setting.value.split(',');
  else if (Array.isArray(setting.value)) names = setting.value;
  else throw invalid(location, `must be a comma-separated string or an array of strings, got ${describeType(setting.value)}`);
  const result = new Set<string>();
  names.forEach((name, index) => {
    if (typeof name !== 'string') throw invalid({ ...location, index }, `must be a string, got ${describeType(name)}`);
    if (name.trim() !== '') result.add(name.trim());
  });
  return [...result];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
