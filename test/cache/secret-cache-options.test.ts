import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { cacheOptionsFromSettings } from '../../src/defaults/default-cache-client.js';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { SecretCacheError, SecretCacheErrorCode } from '../../src/cache/secret-cache-error.js';
import { SECRET_CACHE_DEFAULTS, resolveSecretCacheOptions, type SecretCacheClientOptions } from '../../src/cache/secret-cache-options.js';
import { systemClock } from '../../src/runtime/clock.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';

const source = new InMemorySecretSource();

describe('SecretCacheClient options', () => {
  it('applies the documented defaults', () => {
    const resolved = resolveSecretCacheOptions({ source });
    expect(resolved).toMatchObject({
      ownsSource: false,
      clock: systemClock,
      random: Math.random,
      rotationIntervalMs: 6 * 3_600_000,
      delayIntervalMs: 300_000,
      jitterMaxMs: 600_000,
      defaultTtlMs: 3_600_000,
      backoff: { baseMs: 2000, capMs: 600_000 },
      maxStalenessMs: 0,
      fetchTimeoutMs: 30_000,
      recovery: { minIntervalMs: 1000, backoff: { baseMs: 1000, capMs: 30_000 } },
      maxEntries: SECRET_CACHE_DEFAULTS.maxEntries,
      versionStage: undefined,
    });
  });

  it('has the same defaults as a configuration that sets no cache key (one source of truth: the key table)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cache-defaults-'));
    try {
      const config = ConfigLoader.load({ cwd, env: {}, options: { cache_client_region_id: [{ regionId: 'cn-hangzhou' }] } });
      const fromConfig = resolveSecretCacheOptions({ source, ...cacheOptionsFromSettings(config.cache) });
      const bare = resolveSecretCacheOptions({ source });
      const cacheFields = ({ rotationIntervalMs, delayIntervalMs, jitterMaxMs, defaultTtlMs, backoff, maxStalenessMs, fetchTimeoutMs, recovery }: typeof bare) =>
        ({ rotationIntervalMs, delayIntervalMs, jitterMaxMs, defaultTtlMs, backoff, maxStalenessMs, fetchTimeoutMs, recovery });
      expect(cacheFields(fromConfig)).toEqual(cacheFields(bare));
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it.each<[string, Partial<SecretCacheClientOptions> | Record<string, unknown>]>([
    ['source', { source: undefined }],
    ['source', { source: { description: 'x' } }],
    ['clock', { clock: { now: () => 0 } }],
    ['random', { random: 0.5 }],
    ['ownsSource', { ownsSource: 'yes' }],
    ['versionStage', { versionStage: ' ' }],
    ['rotationIntervalMs', { rotationIntervalMs: 0 }],
    ['rotationIntervalMs', { rotationIntervalMs: Number.NaN }],
    ['delayIntervalMs', { delayIntervalMs: -1 }],
    ['jitterMaxMs', { jitterMaxMs: 1.5 }],
    ['defaultTtlMs', { defaultTtlMs: '3600' }],
    ['defaultTtlMs', { defaultTtlMs: Number.POSITIVE_INFINITY }],
    ['backoff', { backoff: 5 }],
    ['backoff.baseMs', { backoff: { baseMs: 0 } }],
    ['backoff.capMs', { backoff: { baseMs: 5000, capMs: 1000 } }],
    ['maxStalenessMs', { maxStalenessMs: -1 }],
    ['fetchTimeoutMs', { fetchTimeoutMs: 0 }],
    ['recovery', { recovery: 1 }],
    ['recovery.minIntervalMs', { recovery: { minIntervalMs: -1 } }],
    ['recovery.backoff.baseMs', { recovery: { backoff: { baseMs: 0 } } }],
    ['recovery.backoff.capMs', { recovery: { backoff: { baseMs: 5000, capMs: 1000 } } }],
    ['maxEntries', { maxEntries: 0 }],
  ])('rejects a wrong %s with a typed error naming it', (option, override) => {
    let caught: unknown;
    try {
      new SecretCacheClient({ source, ...override } as SecretCacheClientOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SecretCacheError);
    expect((caught as SecretCacheError).code).toBe(SecretCacheErrorCode.InvalidOption);
    expect((caught as SecretCacheError).option).toBe(option);
    expect((caught as SecretCacheError).message).toContain(option);
  });

  it('accepts intervals above the 24.8-day timer limit', () => {
    const resolved = resolveSecretCacheOptions({ source, rotationIntervalMs: 30 * 86_400_000, defaultTtlMs: 365 * 86_400_000 });
    expect(resolved.rotationIntervalMs).toBe(30 * 86_400_000);
  });
});
