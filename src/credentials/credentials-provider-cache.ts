import { inspect } from 'node:util';
import { SecretCacheClient } from '../cache/secret-cache-client.js';
import { SecretCacheError, SecretCacheErrorCode } from '../cache/secret-cache-error.js';
import type { SecretCacheEvents } from '../cache/secret-cache-events.js';
import type { SecretEntryStatus } from '../cache/secret-entry-status.js';
import { systemClock, type Clock, type RandomSource } from '../runtime/clock.js';
import type { Deadline } from '../runtime/deadline.js';
import type { AccessKeyCredential } from './access-key-credential.js';
import type { CredentialProvider, GetCredentialOptions, RefreshNowOptions, RefreshOutcome } from './credential-provider.js';
import { credentialsProviderShape, type CredentialsProviderLike } from './credentials-provider-like.js';
import { CredentialsProviderSource } from './credentials-provider-source.js';

/** Default of {@link CredentialsProviderCacheOptions.maxAgeMs}: 5 minutes. */
export const DEFAULT_PROVIDER_MAX_AGE_MS = 5 * 60 * 1000;
/** Default of {@link CredentialsProviderCacheOptions.name}. */
export const DEFAULT_PROVIDER_CACHE_NAME = 'credentialsProvider';

/** Options of {@link CredentialsProviderCache}. Durations in ms. */
export interface CredentialsProviderCacheOptions {
  /** The provider: an OSS-v2-style `{ getCredentials() }` or an `@alicloud/credentials` `Credential`. */
  credentialsProvider: CredentialsProviderLike;
  /**
   * How long an answer without `expiration` (every answer of a `Credential`) is kept before the provider is
   * asked again; a rejected key is replaced at once whatever its age. Default 5 min.
   */
  maxAgeMs?: number;
  /** Longest wait of one call for the provider (`fetch_timeout`). Default 30 000. */
  fetchTimeoutMs?: number;
  /** Label in events, diagnostics and errors (the `secretName` of their payloads). Default `credentialsProvider`. */
  name?: string;
  /** Time and timers (tests pass a virtual clock). Default: the system clock. */
  clock?: Clock;
  /** Randomness for jitter. Default `Math.random`. */
  random?: RandomSource;
}

/** The listener of an event of {@link CredentialsProviderCache.on}. */
export type CredentialsProviderCacheListener<K extends keyof SecretCacheEvents> = (...args: SecretCacheEvents[K]) => void;

/**
 * The managed-key engine over any Alibaba Cloud credential: what a ProxyBucket or Tea client uses when given
 * `credentialsProvider` instead of a KMS secret. It is this library's `SecretCacheClient` over the provider, so
 * credentials from STS, an ECS RAM role, RRSA/OIDC or a CLI profile get exactly what managed keys get:
 *
 * - **One ask in flight**, whatever the number of callers and buckets sharing it.
 * - **Refresh ahead of `expiration`** (jittered, at the later of 5 min before and half the lifetime): a provider
 *   that reports it is asked once per token, never per call. Answers without it (a `Credential`) are kept
 *   for `maxAgeMs`, or until the service rejects them.
 * - **A rejected key** (`InvalidAccessKeyId`, `SecurityTokenExpired`, `InvalidSecurityToken`) triggers one
 *   coalesced forced ask for all callers; `changed` only if the provider answers another key, so a call is
 *   retried only then (and only if its body can be replayed).
 * - **Bounded waits**: every wait of a call ends by its deadline (`fetchTimeoutMs`). A provider that throws
 *   fails the first callers fast with `KmsError` `Kms.CredentialsProviderFailed` (its error as `cause`); one
 *   that hangs with `Kms.FetchTimeout`. Either heals in the background (paced retries on unref'd timers) and
 *   the last good key is served while it has not expired.
 * - **Events** (`refresh`, `rotate`, `error`, `stale`, `reject`) and the diagnostics channels of
 *   `SECRET_CACHE_CHANNELS`, so `enableOpenTelemetry` sees this source too. No secret in any of them, nor in
 *   errors, `toJSON` or `util.inspect`.
 *
 * Usually built for you: `new ProxyBucket({ credentialsProvider })` shares one per provider object. Build one
 * yourself to tune it, then pass it as `credentialsProvider` to buckets and `createManagedClient` (you close it).
 *
 * @example
 * ```ts
 * const credentials = new CredentialsProviderCache({ credentialsProvider: new Credential(), maxAgeMs: 60_000 });
 * const bucket = new ProxyBucket({ credentialsProvider: credentials, region: 'oss-cn-hangzhou', bucket: 'b' });
 * ```
 */
export class CredentialsProviderCache implements CredentialProvider, AsyncDisposable {
  /** The label of this source in events and diagnostics (the `secretName` the clients use). */
  readonly name: string;
  readonly #cache: SecretCacheClient;

  /** @throws {@link SecretCacheError} `SecretCache.InvalidOption` naming the option */
  constructor(options: CredentialsProviderCacheOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('options', 'must be an object');
    const { credentialsProvider, name = DEFAULT_PROVIDER_CACHE_NAME, clock = systemClock } = options;
    if (credentialsProviderShape(credentialsProvider) === undefined) {
      throw invalid('credentialsProvider', 'must have getCredentials() (OSS v2 SDK shape) or getCredential() (an @alicloud/credentials Credential)');
    }
    if (typeof name !== 'string' || name.trim() === '') throw invalid('name', 'must be a non-empty string');
    const maxAgeMs = options.maxAgeMs ?? DEFAULT_PROVIDER_MAX_AGE_MS;
    if (typeof maxAgeMs !== 'number' || !Number.isInteger(maxAgeMs) || maxAgeMs < 1000) {
      throw invalid('maxAgeMs', `must be an integer number of ms >= 1000, got ${typeof maxAgeMs === 'number' ? maxAgeMs : `a ${typeof maxAgeMs}`}`);
    }
    this.name = name;
    this.#cache = new SecretCacheClient({
      source: new CredentialsProviderSource({ provider: credentialsProvider, clock, maxAgeMs }),
      clock,
      ...(options.random === undefined ? {} : { random: options.random }),
      ...(options.fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs: options.fetchTimeoutMs }),
      defaultTtlMs: maxAgeMs,
      // A tenth of the max age: a fleet spreads its asks without keeping an answer much longer than asked.
      jitterMaxMs: Math.floor(maxAgeMs / 10),
      // A failing provider is re-asked within 30 s at the latest (KMS's 10-minute cap would be far too slow).
      backoff: { baseMs: 1000, capMs: 30_000 },
      maxEntries: 1,
    });
  }

  /** Distinguishes this source in diagnostics messages (the `client` of channel messages). */
  get id(): string {
    return this.#cache.id;
  }

  /** Whether {@link CredentialsProviderCache.close} was called. */
  get closed(): boolean {
    return this.#cache.closed;
  }

  /** A deadline for one call starting now (`fetchTimeoutMs` on this cache's clock). */
  callDeadline(): Deadline {
    return this.#cache.callDeadline();
  }

  /** Errors name the user's provider: "the credentials provider still serves this AccessKey". */
  get servedBy(): string {
    return this.#cache.servedBy;
  }

  /**
   * The current credential. The first call asks the provider (within the deadline); later calls answer from
   * memory until the refresh ahead of expiry, the max age, or a rejection. `_name` is ignored: one provider,
   * one credential.
   */
  getCredential(_name?: string, options?: GetCredentialOptions): Promise<AccessKeyCredential> {
    return this.#cache.getCredential(this.name, options);
  }

  /** The current credential without I/O; `undefined` before the first answer, past its expiration, or while known rejected. */
  peekCredential(_name?: string): AccessKeyCredential | undefined {
    return this.#cache.peekCredential(this.name);
  }

  /** The forced, coalesced ask after the service rejected `options.staleAccessKeyId` (see `SecretCacheClient.refreshNow`). */
  refreshNow(_name?: string, options?: RefreshNowOptions): Promise<RefreshOutcome> {
    return this.#cache.refreshNow(this.name, options);
  }

  /** A request signed with `accessKeyId` succeeded after it was reported rejected: its rejection is forgotten. */
  reportKeyAccepted(_name: string, accessKeyId: string): void {
    this.#cache.reportKeyAccepted(this.name, accessKeyId);
  }

  /** A secret-free summary (state, key id, expiry, next ask), or `undefined` before the first ask. */
  getStatus(): SecretEntryStatus | undefined {
    return this.#cache.getStatus(this.name);
  }

  /** Listens to an event (payloads carry key ids and fingerprints, never secrets; `secretName` is {@link CredentialsProviderCache.name}). */
  on<K extends keyof SecretCacheEvents>(event: K, listener: CredentialsProviderCacheListener<K>): this {
    this.#cache.on(event, listener as never);
    return this;
  }

  /** Removes a listener added with {@link CredentialsProviderCache.on}. */
  off<K extends keyof SecretCacheEvents>(event: K, listener: CredentialsProviderCacheListener<K>): this {
    this.#cache.off(event, listener as never);
    return this;
  }

  /** Clears the timers and ends every waiting call (`SecretCache.Closed`). The provider is not closed. Idempotent. */
  close(): Promise<void> {
    return this.#cache.close();
  }

  /** Same as {@link CredentialsProviderCache.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Secret-free summary. */
  toJSON(): Record<string, unknown> {
    return { id: this.id, name: this.name, closed: this.closed, status: this.getStatus() ?? null };
  }

  /** `CredentialsProviderCache(credentialsProvider, key STS.xxx)`. */
  toString(): string {
    return `CredentialsProviderCache(${this.name}, key ${String(this.peekCredential()?.accessKeyId ?? null)})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `CredentialsProviderCache ${inspect(this.toJSON(), options)}`;
  }
}

function invalid(option: string, problem: string): SecretCacheError {
  return new SecretCacheError(SecretCacheErrorCode.InvalidOption, `CredentialsProviderCache option ${option} ${problem}`, { option });
}
