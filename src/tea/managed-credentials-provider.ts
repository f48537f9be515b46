import { inspect } from 'node:util';
import { createShutdownController } from '../runtime/shutdown-controller.js';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider } from '../credentials/credential-provider.js';
import { ConfigLoader, type ConfigOptions } from '../config/config-loader.js';
import { acquireDefaultCacheClient } from '../defaults/default-cache-client.js';
import { isManagedCredentialsLogger, type ManagedCredentialsLogger } from '../runtime/managed-credentials-logger.js';
import { ManagedClientError, ManagedClientErrorCode } from './managed-client-error.js';
import { managedProviders } from './managed-clients.js';
import { toTeaCredentials, type TeaCredentials } from './tea-credentials.js';

/** The provider name Tea SDK clients send as `x-acs-credentials-provider` (any name but `bearer` / `id_token`). */
export const MANAGED_CREDENTIALS_PROVIDER_NAME = 'managed_credentials';

/**
 * Code of the one-time warning a {@link ManagedCredentialsProvider} gives when a client that
 * {@link createManagedClient} did not build first reads a key through it (`process.emitWarning` code, or the
 * `[code]` prefix of the message given to the provider's `logger`).
 */
const UNMANAGED_TEA_CLIENT_WARNING_CODE = 'ALI_OSS_MC_UNMANAGED_TEA_CLIENT';

/** Options of {@link ManagedCredentialsProvider}. */
export interface ManagedCredentialsProviderOptions {
  /** Name of the KMS secret that holds the managed RAM credential. */
  secretName: string;
  /**
   * Where credentials come from (normally a `SecretCacheClient`). Default: the process-wide shared client for
   * the loaded configuration (the same one ProxyBuckets use), reference counted and released by `close()`. A
   * client you pass is yours: `close()` does not close it.
   */
  cacheClient?: CredentialProvider;
  /**
   * Configuration in code, keyed like the properties file; each key set here wins over the environment and
   * the file. Not allowed together with `cacheClient`.
   */
  config?: ConfigOptions;
  /**
   * Receives the configuration's warnings and the one-time `ALI_OSS_MC_UNMANAGED_TEA_CLIENT` warning
   * instead of `process.emitWarning`.
   */
  logger?: ManagedCredentialsLogger;
}

/**
 * An `@alicloud/credentials` custom credentials provider (`getCredentials()`, `getProviderName()`) backed by
 * this library's cache. It is the building block of {@link createManagedClient}, which is the way to give a
 * Tea SDK client the managed key: use that, not this class, for your clients.
 *
 * Each `getCredentials()` returns one consistent (id, secret, token) triple of a single key. With the key
 * loaded it answers without I/O; the first call waits for the first load.
 *
 * **What a client you build yourself with `new Credential(null, provider)` lacks.** It signs every request with
 * the key the cache holds, but nothing tells the cache when the service rejects that key: the provider never
 * sees the SDK's errors, nor which of its answers signed the failed request. After an emergency rotation (old
 * key revoked at once) such a client keeps failing with `InvalidAccessKeyId.NotFound` until the cache's next
 * scheduled refresh, which can be hours away (`rotation_interval`, 6 h by default). {@link createManagedClient}
 * pins one key per attempt, reports a rejected key to the cache (one coalesced KMS call) and retries once with
 * the new key. So that this gap cannot go unnoticed, a provider read by a client `createManagedClient` did not
 * build gives a one-time warning (code `ALI_OSS_MC_UNMANAGED_TEA_CLIENT`, to `logger` or
 * `process.emitWarning`) on its first `getCredentials()`, naming `createManagedClient`.
 *
 * @example
 * ```ts
 * // Instead of new Ecs20140526({ credential: new Credential(null, new ManagedCredentialsProvider(...)), ... }):
 * const ecs = createManagedClient(Ecs20140526, new $OpenApi.Config({ regionId: 'cn-hangzhou' }), { secretName: 'ecs-ram-ak' });
 * // ...
 * await shutdownManagedClient(ecs);
 * ```
 */
export class ManagedCredentialsProvider {
  /** Name of the KMS secret the AccessKey comes from. */
  readonly secretName: string;
  readonly #cache: CredentialProvider;
  #release: (() => Promise<void>) | undefined;
  readonly #closeController = createShutdownController();
  /** Whether close() was called (its signal is aborted then). */
  get #closed(): boolean {
    return this.#closeController.signal.aborted;
  }
  #warnedUnmanaged = false;
  readonly #logger: ManagedCredentialsLogger | undefined;

  /**
   * Synchronous. Throws {@link ManagedClientError} `ManagedClient.InvalidOptions` for invalid options and,
   * without `cacheClient`, a `ConfigError` if the configuration cannot be loaded.
   */
  constructor(options: ManagedCredentialsProviderOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalid('ManagedCredentialsProvider options must be an object');
    }
    const { secretName, cacheClient, config, logger } = options;
    if (typeof secretName !== 'string' || secretName.trim() === '') {
      throw invalid('option "secretName" must be a non-empty string');
    }
    if (logger !== undefined && !isManagedCredentialsLogger(logger)) {
      throw invalid('option "logger" must have a warn(message) method');
    }
    if (cacheClient !== undefined && !isCredentialProvider(cacheClient)) {
      throw invalid('option "cacheClient" must have getCredential, peekCredential and refreshNow (a SecretCacheClient)');
    }
    if (config !== undefined && cacheClient !== undefined) {
      throw invalid('options "config" and "cacheClient" exclude each other: configure the cache client you pass instead');
    }
    this.secretName = secretName;
    this.#logger = logger;
    if (cacheClient !== undefined) {
      this.#cache = cacheClient;
    } else {
      const lease = acquireDefaultCacheClient(
        ConfigLoader.load(config === undefined ? {} : { options: config }),
        logger === undefined ? {} : { logger },
      );
      this.#cache = lease.client;
      this.#release = lease.release;
    }
  }

  /** The cache this provider reads (for {@link createManagedClient}'s refresh-and-retry). */
  get cacheClient(): CredentialProvider {
    return this.#cache;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Aborted by `close()` (reason `ManagedClient.Shutdown`): ends the waits of calls still in progress. */
  get closeSignal(): AbortSignal {
    return this.#closeController.signal;
  }

  /** The AccessKeyId the next request will be signed with, if a credential is loaded. */
  get accessKeyId(): string | undefined {
    return this.#cache.peekCredential(this.secretName)?.accessKeyId;
  }

  /**
   * The current key as `@alicloud/credentials` reads it. Called by the SDK once per request attempt. The first
   * call on a provider that {@link createManagedClient} did not create gives the one-time
   * `ALI_OSS_MC_UNMANAGED_TEA_CLIENT` warning (see the class documentation).
   * @throws ManagedClientError `ManagedClient.Shutdown` after `close()`; the cache's errors before a first load
   */
  async getCredentials(): Promise<TeaCredentials> {
    if (!this.#warnedUnmanaged) this.#warnUnmanagedOnce();
    return toTeaCredentials(await this.#current(), MANAGED_CREDENTIALS_PROVIDER_NAME);
  }

  /** `managed_credentials`: the credential type Tea SDK clients see (signed like an AccessKey). */
  getProviderName(): string {
    return MANAGED_CREDENTIALS_PROVIDER_NAME;
  }

  /** The key to sign with now: the cache's loaded key, else the first load. */
  #current(): Promise<AccessKeyCredential> {
    if (this.#closed) return Promise.reject(this.#shutdownError());
    const credential = this.#cache.peekCredential(this.secretName);
    return credential !== undefined ? Promise.resolve(credential) : this.#cache.getCredential(this.secretName);
  }

  /**
   * Releases the shared cache reference (closing the cache when this was its last user); a `cacheClient`
   * passed in is left open. Idempotent. Later `getCredentials()` calls reject with `ManagedClient.Shutdown`.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closeController.abort(this.#shutdownError());
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }

  /** Same as {@link ManagedCredentialsProvider.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Secret-free summary. */
  toJSON(): Record<string, unknown> {
    return {
      providerName: MANAGED_CREDENTIALS_PROVIDER_NAME,
      secretName: this.secretName,
      accessKeyId: this.accessKeyId ?? null,
      closed: this.#closed,
    };
  }

  /** `ManagedCredentialsProvider(secret, key LTAI...)`. */
  toString(): string {
    return `ManagedCredentialsProvider(${this.secretName}, key ${String(this.accessKeyId ?? null)})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `ManagedCredentialsProvider ${inspect(this.toJSON(), options)}`;
  }

  /** The one-time warning of a provider read by a client that `createManagedClient` did not build. */
  #warnUnmanagedOnce(): void {
    this.#warnedUnmanaged = true;
    if (managedProviders.has(this)) return;
    const message =
      `ManagedCredentialsProvider for secret "${this.secretName}" is read by a client that createManagedClient did not build: ` +
      'it signs with the current key but cannot recover from a rejected one, so after a revoke its calls fail with ' +
      'InvalidAccessKeyId until the next scheduled refresh (up to rotation_interval, 6 h by default). ' +
      'Build the client with createManagedClient(ClientClass, config, { secretName }) instead: it reports a rejected key ' +
      'to the cache and retries once with the new key.';
    if (this.#logger !== undefined) {
      try {
        this.#logger.warn(`[${UNMANAGED_TEA_CLIENT_WARNING_CODE}] ${message}`);
        return;
      } catch {
        // a broken logger must not break the client: fall through to the process warning
      }
    }
    process.emitWarning(message, { code: UNMANAGED_TEA_CLIENT_WARNING_CODE });
  }

  #shutdownError(): ManagedClientError {
    return new ManagedClientError(
      ManagedClientErrorCode.Shutdown,
      `the managed credentials provider for secret "${this.secretName}" was closed`,
    );
  }
}

function invalid(message: string): ManagedClientError {
  return new ManagedClientError(ManagedClientErrorCode.InvalidOptions, `ManagedCredentialsProvider: ${message}`);
}

function isCredentialProvider(value: unknown): value is CredentialProvider {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof CredentialProvider, unknown>>;
  return (
    typeof candidate.getCredential === 'function' &&
    typeof candidate.peekCredential === 'function' &&
    typeof candidate.refreshNow === 'function'
  );
}
