import { configKeySpec } from './config-keys.js';
import type { ConfigSettings } from './config-setting.js';
import { expectInteger, invalid } from './config-values.js';
import type { CacheSettings } from './provider-config.js';

type Settings = ConfigSettings;

/** The cache's timing settings: each key's value, or its default from the key table. */
export function readCacheSettings(settings: Settings): CacheSettings {
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
