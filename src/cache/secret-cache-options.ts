import type { Clock, RandomSource } from '../runtime/clock.js';
import { systemClock } from '../runtime/clock.js';
import type { BackoffPolicy } from '../runtime/backoff.js';
import type { SecretSource } from '../kms/secret-source.js';
import { configKeyDefault } from '../config/config-key-default.js';
import { DEFAULT_RECOVERY_PACING, type RecoveryPacing } from './recovery-policy.js';
import { MAX_REFRESH_DELAY_MS } from './refresh-schedule.js';
import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';

/** Options of `new SecretCacheClient(options)`. Durations in ms. */
export interface SecretCacheClientOptions {
  /** Where secrets come from (DKMS, OpenAPI, a failover group). */
  source: SecretSource;
  /** Whether `close()` also closes `source`. Default `false` (the caller keeps ownership). */
  ownsSource?: boolean;
  /** Time and timers. Default: the system clock (unref'd, capped timers). */
  clock?: Clock;
  /** Randomness for jitter. Default `Math.random`. */
  random?: RandomSource;
  /** Longest wait between refreshes of a rotating RAM AccessKey (`rotation_interval`). Default 6 h. */
  rotationIntervalMs?: number;
  /** Wait after `NextRotationDate` before reading the new key (`delay_interval`). Default 5 min. */
  delayIntervalMs?: number;
  /** Upper bound of the random spread added to every scheduled refresh (`refresh_jitter_max`). Default 10 min. */
  jitterMaxMs?: number;
  /** Refresh interval of secrets that are not managed RAM AccessKeys and carry no `RefreshInterval`. Default 1 h. */
  defaultTtlMs?: number;
  /** Retry of failed background refreshes: exponential with full jitter. Default `{ baseMs: 2000, capMs: 600000 }`. */
  backoff?: Partial<BackoffPolicy>;
  /**
   * How long a value may be served after its refresh started failing; afterwards reads fail fast with
   * `SecretCache.TooStale`. `0` or unset: no limit.
   */
  maxStalenessMs?: number;
  /**
   * Deadline of one fetch of a secret across all sources, retries and failover (`fetch_timeout`); no caller
   * waits longer for a fetch. Default 30 000.
   */
  fetchTimeoutMs?: number;
  /**
   * Pacing of KMS calls while the held AccessKey is rejected or about to expire: no call sooner than
   * `minIntervalMs` after the last KMS answer, then full-jitter backoff. Default 1 s, growing from 1 s to 30 s.
   */
  recovery?: { minIntervalMs?: number; backoff?: Partial<BackoffPolicy> };
  /** Most secrets kept; the least recently used is dropped beyond this. Default 1000. */
  maxEntries?: number;
  /** Version stage to read. Default: the service default (`ACSCurrent`). */
  versionStage?: string;
}

/** Every option with its default applied, validated. */
export interface ResolvedSecretCacheOptions {
  source: SecretSource;
  ownsSource: boolean;
  clock: Clock;
  random: RandomSource;
  rotationIntervalMs: number;
  delayIntervalMs: number;
  jitterMaxMs: number;
  defaultTtlMs: number;
  backoff: BackoffPolicy;
  /** 0 means no limit. */
  maxStalenessMs: number;
  fetchTimeoutMs: number;
  recovery: RecoveryPacing;
  maxEntries: number;
  versionStage: string | undefined;
}

/**
 * The defaults of {@link SecretCacheClientOptions}. Those that are configuration keys are taken from the key
 * table (`CONFIG_KEYS`), so a `SecretCacheClient` built in code and one built from an empty properties file
 * behave the same; the others (`loadRetryCapMs`, `maxEntries`) exist only here.
 *
 * The minimums differ on purpose: the key table's (e.g. `rotation_interval` >= 1000 ms) catch unit mistakes
 * in hand-written files, such as seconds where milliseconds are meant; options in code are typed
 * milliseconds and are also driven by injected clocks in tests, so they only need to be positive.
 */
export const SECRET_CACHE_DEFAULTS = Object.freeze({
  rotationIntervalMs: configKeyDefault('rotation_interval'),
  delayIntervalMs: configKeyDefault('delay_interval'),
  jitterMaxMs: configKeyDefault('refresh_jitter_max'),
  defaultTtlMs: configKeyDefault('default_refresh_interval'),
  backoffBaseMs: configKeyDefault('refresh_backoff_base'),
  backoffCapMs: configKeyDefault('refresh_backoff_cap'),
  maxStalenessMs: configKeyDefault('max_staleness'),
  /** Cap of the retry delay while nothing was ever loaded (the first load failed). */
  loadRetryCapMs: 30_000,
  fetchTimeoutMs: configKeyDefault('fetch_timeout'),
  maxEntries: 1000,
});

/**
 * Applies defaults and validates every option.
 *
 * @throws {@link SecretCacheError} `SecretCache.InvalidOption` naming the option (never its value when it
 *   could be a secret; numbers are shown)
 */
export function resolveSecretCacheOptions(options: SecretCacheClientOptions): ResolvedSecretCacheOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
  const { source } = options;
  if (typeof source !== 'object' || source === null || typeof source.getSecretValue !== 'function') {
    throw invalid('source', 'must be a SecretSource (an object with getSecretValue)');
  }
  const clock = options.clock ?? systemClock;
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw invalid('clock', 'must be a Clock (now, setTimeout, clearTimeout)');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw invalid('random', 'must be a function returning a number in [0, 1)');
  if (options.ownsSource !== undefined && typeof options.ownsSource !== 'boolean') throw invalid('ownsSource', 'must be a boolean');
  if (options.versionStage !== undefined && (typeof options.versionStage !== 'string' || options.versionStage.trim() === '')) {
    throw invalid('versionStage', 'must be a non-empty string');
  }
  const backoff = optionalObject(options.backoff, 'backoff');
  const recovery = optionalObject(options.recovery, 'recovery');
  const recoveryBackoff = optionalObject(recovery.backoff, 'recovery.backoff');
  const resolved: ResolvedSecretCacheOptions = {
    source,
    ownsSource: options.ownsSource ?? false,
    clock,
    random,
    rotationIntervalMs: duration(options.rotationIntervalMs, 'rotationIntervalMs', SECRET_CACHE_DEFAULTS.rotationIntervalMs, 1),
    delayIntervalMs: duration(options.delayIntervalMs, 'delayIntervalMs', SECRET_CACHE_DEFAULTS.delayIntervalMs, 0),
    jitterMaxMs: duration(options.jitterMaxMs, 'jitterMaxMs', SECRET_CACHE_DEFAULTS.jitterMaxMs, 0),
    defaultTtlMs: duration(options.defaultTtlMs, 'defaultTtlMs', SECRET_CACHE_DEFAULTS.defaultTtlMs, 1),
    backoff: {
      baseMs: duration(backoff.baseMs, 'backoff.baseMs', SECRET_CACHE_DEFAULTS.backoffBaseMs, 1),
      capMs: duration(backoff.capMs, 'backoff.capMs', SECRET_CACHE_DEFAULTS.backoffCapMs, 1),
    },
    maxStalenessMs: duration(options.maxStalenessMs, 'maxStalenessMs', SECRET_CACHE_DEFAULTS.maxStalenessMs, 0),
    fetchTimeoutMs: duration(options.fetchTimeoutMs, 'fetchTimeoutMs', SECRET_CACHE_DEFAULTS.fetchTimeoutMs, 10),
    recovery: {
      minIntervalMs: duration(recovery.minIntervalMs, 'recovery.minIntervalMs', DEFAULT_RECOVERY_PACING.minIntervalMs, 0),
      backoff: {
        baseMs: duration(recoveryBackoff.baseMs, 'recovery.backoff.baseMs', DEFAULT_RECOVERY_PACING.backoff.baseMs, 1),
        capMs: duration(recoveryBackoff.capMs, 'recovery.backoff.capMs', DEFAULT_RECOVERY_PACING.backoff.capMs, 1),
      },
    },
    maxEntries: integer(options.maxEntries, 'maxEntries', SECRET_CACHE_DEFAULTS.maxEntries, 1, 1_000_000),
    versionStage: options.versionStage,
  };
  if (resolved.backoff.capMs < resolved.backoff.baseMs) throw invalid('backoff.capMs', 'must not be less than backoff.baseMs');
  if (resolved.recovery.backoff.capMs < resolved.recovery.backoff.baseMs) {
    throw invalid('recovery.backoff.capMs', 'must not be less than recovery.backoff.baseMs');
  }
  return resolved;
}

function duration(value: unknown, option: string, fallback: number, min: number): number {
  return integer(value, option, fallback, min, MAX_REFRESH_DELAY_MS, 'ms');
}

function integer(value: unknown, option: string, fallback: number, min: number, max: number, unit = ''): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value === 'number' ? String(value) : `a ${typeof value}`;
    throw invalid(option, `must be an integer${unit ? ` number of ${unit}` : ''} from ${min} to ${max}, got ${got}`);
  }
  return value;
}

function optionalObject(value: unknown, option: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw invalid(option, 'must be an object');
  return value as Record<string, unknown>;
}

function invalid(option: string, problem: string): SecretCacheError {
  return new SecretCacheError(SecretCacheErrorCode.InvalidOption, `SecretCacheClient option ${option} ${problem}`, { option });
}
