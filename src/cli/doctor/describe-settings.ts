import { CONFIG_KEYS } from '../../config/config-keys.js';
import type { ProviderConfig } from '../../config/provider-config.js';
import type { DoctorSetting } from './doctor-report.js';

const CACHE_FIELDS: Readonly<Record<string, keyof ProviderConfig['cache']>> = {
  rotation_interval: 'rotationIntervalMs',
  delay_interval: 'delayIntervalMs',
  refresh_jitter_max: 'refreshJitterMaxMs',
  default_refresh_interval: 'defaultRefreshIntervalMs',
  refresh_backoff_base: 'refreshBackoffBaseMs',
  refresh_backoff_cap: 'refreshBackoffCapMs',
  max_staleness: 'maxStalenessMs',
  recovery_min_interval: 'recoveryMinIntervalMs',
  recovery_backoff_cap: 'recoveryBackoffCapMs',
  fetch_timeout: 'fetchTimeoutMs',
};

/**
 * The effective settings of a loaded configuration, in key-table order, each with its origin. Values come
 * from the validated config (so they are what the library uses); a key the library does not read (an
 * official-provider-only key, a RAM identity key without regions or for another `credentials_type`) shows
 * `ignored`, secret keys `<redacted>`, other keys that are only set `(set)`.
 */
export function describeSettings(config: ProviderConfig): DoctorSetting[] {
  const ignored = new Set(config.warnings.filter((warning) => warning.code === 'IgnoredKey').map((warning) => warning.key));
  const settings: DoctorSetting[] = [];
  for (const spec of CONFIG_KEYS) {
    const origin = config.origins[spec.name];
    if (origin === undefined) continue;
    const setButIgnored = origin !== 'default' && (('ignored' in spec && spec.ignored === true) || ignored.has(spec.name));
    const value = setButIgnored ? 'ignored' : spec.secret ? '<redacted>' : displayValue(config, spec.name);
    settings.push({ key: spec.name, origin, value });
  }
  return settings;
}

function displayValue(config: ProviderConfig, key: string): string {
  const cacheField = CACHE_FIELDS[key];
  if (cacheField !== undefined) return String(config.cache[cacheField]);
  switch (key) {
    case 'cache_client_kms_agent_config_info':
      return plural(config.kmsAgents.length, 'KMS Agent');
    case 'cache_client_dkms_config_info':
      return plural(config.dkmsInstances.length, 'KMS instance');
    case 'cache_client_region_id':
      return plural(config.regions.length, 'region');
    case 'credentials_type':
      return config.credentials?.type ?? '(set)';
    case 'secret_names':
      return config.secretNames.join(',');
    default:
      return '(set)';
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
