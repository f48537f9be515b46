import { SecretCacheClient } from '../cache/secret-cache-client.js';
import type { SecretCacheClientOptions } from '../cache/secret-cache-options.js';
import { acquireSharedCacheClient, type SharedCacheClientLease } from '../cache/shared-cache-client.js';
import { configIdentity } from '../config/config-identity.js';
import { ConfigLoader } from '../config/config-loader.js';
import type { CacheSettings, ProviderConfig } from '../config/provider-config.js';
import { secretSourceFromConfig } from '../kms/secret-source-from-config.js';

/** Configurations whose warnings were already printed, so each shows once per process. */
const warnedConfigs = new Set<string>();

/**
 * The process-wide {@link SecretCacheClient} for the loaded configuration (`ConfigLoader.load()`): built on
 * first use from the configured sources, shared by every user of an equal configuration, and closed when the
 * last lease is released. This is what a `ProxyBucket` without `cacheClient` uses.
 *
 * Configuration problems throw `ConfigError` synchronously; warnings (unknown keys, insecure TLS) are
 * emitted once with `process.emitWarning`. The `secret_names` of the configuration are prefetched in the
 * background (failures surface as the client's `error` events and on first use, never as unhandled
 * rejections).
 */
export function acquireDefaultCacheClient(config: ProviderConfig = ConfigLoader.load()): SharedCacheClientLease {
  const key = configIdentity(config);
  if (!warnedConfigs.has(key)) {
    warnedConfigs.add(key);
    for (const warning of config.warnings) {
      process.emitWarning(warning.message, { code: `ALI_OSS_MC_CONFIG_${warning.code}` });
    }
  }
  return acquireSharedCacheClient(key, () => {
    const client = new SecretCacheClient({
      source: secretSourceFromConfig(config),
      ownsSource: true,
      ...cacheOptionsFromSettings(config.cache),
    });
    for (const secretName of config.secretNames) {
      client.getSecretInfo(secretName).catch(() => {
        // Reported through the client's `error` event and again to the first caller that needs it.
      });
    }
    return client;
  });
}

/** Maps the cache keys of a configuration onto {@link SecretCacheClientOptions}. */
export function cacheOptionsFromSettings(settings: CacheSettings): Omit<SecretCacheClientOptions, 'source'> {
  return {
    rotationIntervalMs: settings.rotationIntervalMs,
    delayIntervalMs: settings.delayIntervalMs,
    jitterMaxMs: settings.refreshJitterMaxMs,
    defaultTtlMs: settings.defaultRefreshIntervalMs,
    backoff: { baseMs: settings.refreshBackoffBaseMs, capMs: settings.refreshBackoffCapMs },
    fetchTimeoutMs: settings.fetchTimeoutMs,
    recovery: {
      minIntervalMs: settings.recoveryMinIntervalMs,
      backoff: { baseMs: Math.min(1000, settings.recoveryBackoffCapMs), capMs: settings.recoveryBackoffCapMs },
    },
    ...(settings.maxStalenessMs > 0 && { maxStalenessMs: settings.maxStalenessMs }),
  };
}
