import { DEFAULT_RECOVERY_PACING } from '../cache/recovery-policy.js';
import { SecretCacheClient } from '../cache/secret-cache-client.js';
import type { SecretCacheClientOptions } from '../cache/secret-cache-options.js';
import { acquireSharedCacheClient, type SharedCacheClientLease } from '../cache/shared-cache-client.js';
import { configIdentity } from '../config/config-identity.js';
import { ConfigLoader } from '../config/config-loader.js';
import type { CacheSettings, ProviderConfig } from '../config/provider-config.js';
import { secretSourceFromConfig } from '../kms/secret-source-from-config.js';
import type { ManagedCredentialsLogger } from '../runtime/managed-credentials-logger.js';

/** Per configuration, the sinks (loggers, or the process) its warnings went to, so each gets them once. */
const warnedSinks = new Map<string, WeakSet<object>>();
const PROCESS_WARNINGS: object = Object.freeze({});

/** Options of {@link acquireDefaultCacheClient}. */
export interface AcquireDefaultCacheClientOptions {
  /** Receives the configuration's warnings instead of `process.emitWarning`. */
  readonly logger?: ManagedCredentialsLogger;
}

/**
 * The process-wide {@link SecretCacheClient} for the loaded configuration (`ConfigLoader.load()`): built on
 * first use from the configured sources, shared by every user of an equal configuration, and closed when the
 * last lease is released. This is what a `ProxyBucket` without `cacheClient` uses.
 *
 * Configuration problems throw `ConfigError` synchronously; warnings (unknown keys, insecure TLS) are
 * emitted once per configuration with `process.emitWarning`, or given once to `options.logger`. The
 * `secret_names` of the configuration are prefetched in the
 * background (failures surface as the client's `error` events and on first use, never as unhandled
 * rejections).
 */
export function acquireDefaultCacheClient(
  config: ProviderConfig = ConfigLoader.load(),
  options: AcquireDefaultCacheClientOptions = {},
): SharedCacheClientLease {
  const key = configIdentity(config);
  reportWarningsOnce(key, config, options.logger);
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

/** Sends the warnings of `config` to `logger` (else the process), once per configuration and sink. */
function reportWarningsOnce(key: string, config: ProviderConfig, logger: ManagedCredentialsLogger | undefined): void {
  const sink = logger ?? PROCESS_WARNINGS;
  let sinks = warnedSinks.get(key);
  if (sinks === undefined) warnedSinks.set(key, (sinks = new WeakSet()));
  if (sinks.has(sink)) return;
  sinks.add(sink);
  for (const warning of config.warnings) {
    const code = `ALI_OSS_MC_CONFIG_${warning.code}`;
    if (logger === undefined) {
      process.emitWarning(warning.message, { code });
      continue;
    }
    try {
      logger.warn(`[${code}] ${warning.message}`);
    } catch {
      process.emitWarning(warning.message, { code }); // a broken logger must not break the bucket
    }
  }
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
      backoff: {
        baseMs: Math.min(DEFAULT_RECOVERY_PACING.backoff.baseMs, settings.recoveryBackoffCapMs),
        capMs: settings.recoveryBackoffCapMs,
      },
    },
    ...(settings.maxStalenessMs > 0 && { maxStalenessMs: settings.maxStalenessMs }),
  };
}
