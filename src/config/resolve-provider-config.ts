import { ConfigError, ConfigErrorCode } from './config-error.js';
import { CONFIG_KEYS, configKeySpec } from './config-keys.js';
import type { ConfigSetting, ConfigSettings } from './config-setting.js';
import { expectEnvVarName, expectInteger, expectString } from './config-values.js';
import type { ConfigOrigin, ConfigWarning, ProviderConfig } from './provider-config.js';
import { readCacheSettings } from './read-cache-settings.js';
import { readDkmsInstance } from './read-dkms-instance.js';
import { readKmsAgent } from './read-kms-agent.js';
import { readJsonArray, warnDuplicateEndpoints } from './read-json-array.js';
import { readRamCredentials } from './read-ram-credentials.js';
import { readRegion } from './read-region.js';
import { readSecretNames } from './read-secret-names.js';

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

type Settings = ConfigSettings;

/**
 * Validates the merged settings (one winning value per key) and builds the {@link ProviderConfig}.
 * Throws {@link ConfigError} for every problem; never echoes a secret (see `describeValue`).
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
  const kmsAgents = readJsonArray(settings, 'cache_client_kms_agent_config_info', warnings).map((entry, index) =>
    readKmsAgent(entry.value, index, entry.baseDir, warnings),
  );
  const dkmsEntries = readJsonArray(settings, 'cache_client_dkms_config_info', warnings);
  if (kmsAgents.length === 0 && dkmsEntries.length === 0 && regions.length === 0) {
    throw new ConfigError(
      ConfigErrorCode.IncompatibleKeys,
      'no KMS configured: set cache_client_kms_agent_config_info (a KMS Agent on this host), ' +
        'cache_client_dkms_config_info (KMS instances) or cache_client_region_id (KMS regions)',
      { key: 'cache_client_dkms_config_info' },
    );
  }
  const dkmsInstances = dkmsEntries.map((entry, index) =>
    readDkmsInstance(entry.value, index, entry.baseDir, settings, context, warnings),
  );
  warnDuplicateEndpoints('cache_client_kms_agent_config_info', kmsAgents, warnings);
  warnDuplicateEndpoints('cache_client_dkms_config_info', dkmsInstances, warnings);
  warnDuplicateEndpoints('cache_client_region_id', regions.filter((region) => region.endpoint !== undefined), warnings);

  const credentials = readRamCredentials(settings, regions.length > 0, env, warnings);
  const cache = readCacheSettings(settings);
  const secretNames = readSecretNames(settings);

  const origins: Record<string, ConfigOrigin> = {};
  for (const spec of CONFIG_KEYS) {
    const setting = settings.get(spec.name);
    if (setting !== undefined) origins[spec.name] = setting.source;
    else if ('defaultValue' in spec) origins[spec.name] = 'default';
  }

  const config: ProviderConfig = {
    kmsAgents,
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
