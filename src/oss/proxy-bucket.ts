import OSS from 'ali-oss';
import { createShutdownController } from '../runtime/shutdown-controller.js';
import { inspect } from 'node:util';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider } from '../credentials/credential-provider.js';
import type { AKExpireHandler } from './ak-expire-handler.js';
import type { AliOssExtraOptions, AliOssUndeclaredMethods } from './ali-oss-extras.js';
import { ConfigLoader, type ConfigOptions } from '../config/config-loader.js';
import { acquireDefaultCacheClient } from '../defaults/default-cache-client.js';
import { isManagedCredentialsLogger, type ManagedCredentialsLogger } from '../runtime/managed-credentials-logger.js';
import type { BucketEventListener, BucketEventName, OssBucket } from './oss-bucket.js';
import { callMethodNames, PLUMBING_METHODS, SYNC_PLAIN_METHODS, SYNC_SIGNING_METHODS } from './oss-method-names.js';
import { callWithManagedKey, type ManagedKeyClient } from '../call/call-with-managed-key.js';
import { KeyAcceptance } from '../call/key-acceptance.js';
import type { RetryWithFreshBodyAnnotation } from '../call/retry-with-fresh-body.js';
import { isCodeless403 } from './is-codeless-403.js';
import { OssAKExpireHandler } from './oss-ak-expire-handler.js';
import { ProxyBucketError, ProxyBucketErrorCode } from './proxy-bucket-error.js';
import { redactServiceError } from '../call/redact-service-error.js';
import { isReplayableCall } from './replayability.js';
import { CredentialsProviderCache } from '../credentials/credentials-provider-cache.js';
import { credentialsProviderShape, type CredentialsProviderLike } from '../credentials/credentials-provider-like.js';
import { acquireCredentialsProviderCache } from '../credentials/shared-credentials-provider-cache.js';

/**
 * The options every {@link ProxyBucket} takes: ali-oss options without credentials, plus the judge of rejected
 * keys and a logger. A bucket also needs where its credentials come from: {@link ProxyBucketSecretOptions} or
 * {@link ProxyBucketProviderOptions}.
 */
export type ProxyBucketBaseOptions = Omit<
  OSS.Options,
  'accessKeyId' | 'accessKeySecret' | 'stsToken' | 'refreshSTSToken' | 'refreshSTSTokenInterval'
> &
  AliOssExtraOptions & {
    /**
     * Judges which errors mean "key rejected"; default `new OssAKExpireHandler()` (`InvalidAccessKeyId`,
     * `SecurityTokenExpired`, `InvalidSecurityToken`).
     */
    akExpireHandler?: AKExpireHandler;
    /**
     * Receives the configuration's warnings (unknown keys, insecure TLS...) instead of `process.emitWarning`:
     * `console`, a pino logger, or any `{ warn(message) }`. Each configuration warns once per logger.
     */
    logger?: ManagedCredentialsLogger;
  };

/** Where a {@link ProxyBucket}'s credentials come from when they live in KMS: a managed RAM credential secret. */
export interface ProxyBucketSecretOptions {
  /** Name of the KMS secret that holds the managed RAM credential. */
  secretName: string;
  /** Not with `secretName`: a bucket has one source of credentials. */
  credentialsProvider?: undefined;
  /**
   * Where credentials come from (normally a `SecretCacheClient`). Default: the process-wide shared client
   * for the loaded configuration, reference counted and released by `shutdown()`. A client you pass is
   * yours: `shutdown()` does not close it.
   */
  cacheClient?: CredentialProvider;
  /**
   * Configuration in code, keyed like the properties file (e.g. `cache_client_dkms_config_info` as an
   * array of objects, `rotation_interval` as a number). Each key set here wins over the environment
   * variable and the properties file of the same name; the keys not set here still come from them. Buckets
   * whose resulting configuration is equal share one cache. Not allowed together with `cacheClient`.
   */
  config?: ConfigOptions;
}

/**
 * Where a {@link ProxyBucket}'s credentials come from when they are any other Alibaba Cloud credential: STS
 * tokens, an ECS RAM role, RRSA/OIDC, a CLI profile...
 */
export interface ProxyBucketProviderOptions {
  /**
   * The credentials: an OSS-v2-style provider (`{ getCredentials() }` resolving to `{ accessKeyId,
   * accessKeySecret, securityToken?, expiration? }`), an `@alicloud/credentials` `Credential` (its default chain
   * or any of its types), or a {@link CredentialsProviderCache} you built to tune. Buckets (and Tea clients) over
   * the same provider object share one cache of it: one ask in flight, asked once per token ahead of
   * `expiration` (an answer without it is kept 5 min), a rejected key replaced once for all callers.
   */
  credentialsProvider: CredentialsProviderLike | CredentialsProviderCache;
  /** Not with `credentialsProvider`: a bucket has one source of credentials. */
  secretName?: undefined;
  /** Not with `credentialsProvider` (pass a `CredentialsProviderCache` as `credentialsProvider` to tune it). */
  cacheClient?: undefined;
  /** Not with `credentialsProvider`: there is no KMS configuration to load. */
  config?: undefined;
}

/**
 * Options of {@link ProxyBucket}: ali-oss options without credentials, plus exactly one of `secretName` (a
 * managed RAM credential in KMS) or `credentialsProvider` (any other credential).
 */
export type ProxyBucketOptions = ProxyBucketBaseOptions & (ProxyBucketSecretOptions | ProxyBucketProviderOptions);

/** Extra fields ProxyBucket puts on an error it rethrows after a refresh (the same as a Tea client's). */
export type ProxyBucketErrorAnnotations = RetryWithFreshBodyAnnotation;

/** What `on`/`off` need from the credential provider: an EventEmitter such as `SecretCacheClient`. */
interface EventSource {
  on(event: string, listener: AnyFunction): unknown;
  off(event: string, listener: AnyFunction): unknown;
}

type RawClient = OSS & Record<string, unknown> & { options: Record<string, unknown> };
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const RAW_PROTOTYPE = OSS.prototype as unknown as Record<string, AnyFunction>;
const CREDENTIAL_FIELDS = ['accessKeyId', 'accessKeySecret', 'stsToken', 'refreshSTSToken', 'refreshSTSTokenInterval'];
// ali-oss refuses to construct without a key; the real one is set before every request is signed.
const PLACEHOLDER_KEY = 'placeholder-until-first-credential';
/** Managed multipart methods that report a resumable checkpoint to `progress`: name -> index of their options. */
const RESUMABLE_METHODS: ReadonlyMap<string, number> = new Map([
  ['multipartUpload', 2],
  ['multipartUploadCopy', 2],
]);
/** AccessKeyId that signed each failed request, so the refresh can tell a stale key from a current one. */
const signedWith = new WeakMap<object, string>();

/* Class and interface merge on purpose: the interface declares the full ali-oss surface, the class adds
 * the methods to its prototype at module load (see the loop at the end of this file). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ProxyBucket extends OSS, AliOssUndeclaredMethods {}

/**
 * A drop-in replacement for an ali-oss client whose AccessKey comes from a managed RAM credential in KMS
 * (`secretName`), or from any other Alibaba Cloud credential (`credentialsProvider`: STS, ECS RAM role, RRSA...).
 *
 * Every ali-oss method works with the same arguments and results. Each request is signed with the
 * cache's current (id, secret, token) triple. When OSS rejects the key (as judged by the
 * {@link AKExpireHandler}), the bucket asks the cache for a coalesced refresh and retries the call once,
 * but only if the key actually changed and the call can be replayed: a consumed stream is never re-sent
 * (the error then carries `retryWithFreshBody: true`), and `multipartUpload` and `multipartUploadCopy` resume
 * from their checkpoint.
 *
 * @example
 * ```ts
 * const bucket = new ProxyBucket({ secretName: 'oss-ram-ak', endpoint: 'oss-cn-hangzhou.aliyuncs.com', bucket: 'b' });
 * await bucket.put('a.txt', Buffer.from('hello'));
 * await bucket.shutdown();
 * // Any credential: refreshed ahead of its expiration, replaced once for all callers when OSS rejects it.
 * const other = new ProxyBucket({ credentialsProvider: new Credential(), region: 'oss-cn-hangzhou', bucket: 'b' });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ProxyBucket implements OssBucket {
  /**
   * Name of the KMS secret this bucket's AccessKey comes from; for a bucket over a `credentialsProvider`, the
   * name of its {@link CredentialsProviderCache} (`credentialsProvider` unless named otherwise).
   */
  readonly secretName: string;
  readonly #client: RawClient;
  readonly #provider: CredentialProvider;
  readonly #handler: AKExpireHandler;
  #release: (() => unknown) | undefined;
  #applied: AccessKeyCredential | undefined;
  /** Reports a success with a key this bucket saw rejected (OSS may accept a new key late). */
  readonly #acceptance: KeyAcceptance;
  /** This bucket as the shared call core sees it: the cache, the secret and ali-oss's judges. */
  readonly #managed: ManagedKeyClient;
  /** Aborted by shutdown(): calls still waiting for a key (first load, a forced refresh) end at once. */
  readonly #shutdownController = createShutdownController();

  /** Whether shutdown() was called. */
  get #shutdown(): boolean {
    return this.#shutdownController.signal.aborted;
  }
  /** Listeners added with `on`, by event, each with the filtering wrapper registered on the cache. */
  #listeners: Map<BucketEventName, Map<AnyFunction, AnyFunction>> | undefined;

  /**
   * Synchronous, like `new OSS(...)`. Throws {@link ProxyBucketError} `ProxyBucket.InvalidOptions` for invalid
   * options (also without, or with both, `secretName` and `credentialsProvider`) and, for a `secretName` without
   * `cacheClient`, a `ConfigError` if the configuration cannot be loaded.
   */
  constructor(options: ProxyBucketOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ProxyBucketError(ProxyBucketErrorCode.InvalidOptions, 'ProxyBucket options must be an object');
    }
    const { secretName, credentialsProvider, akExpireHandler, cacheClient, config, logger, ...ossOptions } = options as ProxyBucketBaseOptions &
      Partial<Omit<ProxyBucketSecretOptions, 'credentialsProvider'> & Omit<ProxyBucketProviderOptions, 'secretName' | 'cacheClient' | 'config'>>;
    if ((secretName === undefined) === (credentialsProvider === undefined)) {
      throw new ProxyBucketError(
        ProxyBucketErrorCode.InvalidOptions,
        'ProxyBucket needs exactly one of the options "secretName" (a managed RAM credential in KMS) and "credentialsProvider" (any other credential)',
      );
    }
    if (credentialsProvider !== undefined) {
      for (const [name, value] of [['cacheClient', cacheClient], ['config', config]] as const) {
        if (value !== undefined) {
          throw new ProxyBucketError(
            ProxyBucketErrorCode.InvalidOptions,
            `ProxyBucket option "${name}" is not allowed with "credentialsProvider" (it configures the KMS secret cache)`,
          );
        }
      }
      if (!(credentialsProvider instanceof CredentialsProviderCache) && credentialsProviderShape(credentialsProvider) === undefined) {
        throw new ProxyBucketError(
          ProxyBucketErrorCode.InvalidOptions,
          'ProxyBucket option "credentialsProvider" must have getCredentials() (OSS v2 SDK shape) or getCredential() (an @alicloud/credentials Credential)',
        );
      }
    } else if (typeof secretName !== 'string' || secretName.trim() === '') {
      throw new ProxyBucketError(ProxyBucketErrorCode.InvalidOptions, 'ProxyBucket option "secretName" must be a non-empty string');
    }
    const origin = credentialsProvider === undefined ? `the secret "${String(secretName)}"` : 'the credentialsProvider';
    for (const field of CREDENTIAL_FIELDS) {
      if ((ossOptions as Record<string, unknown>)[field] !== undefined) {
        throw new ProxyBucketError(
          ProxyBucketErrorCode.InvalidOptions,
          `ProxyBucket option "${field}" is not allowed: the AccessKey comes from ${origin}`,
        );
      }
    }
    if (akExpireHandler !== undefined && typeof akExpireHandler?.judgeAKExpire !== 'function') {
      throw new ProxyBucketError(ProxyBucketErrorCode.InvalidOptions, 'ProxyBucket option "akExpireHandler" must have a judgeAKExpire(error) method');
    }
    if (logger !== undefined && !isManagedCredentialsLogger(logger)) {
      throw new ProxyBucketError(ProxyBucketErrorCode.InvalidOptions, 'ProxyBucket option "logger" must have a warn(message) method');
    }
    if (config !== undefined && cacheClient !== undefined) {
      throw new ProxyBucketError(
        ProxyBucketErrorCode.InvalidOptions,
        'ProxyBucket options "config" and "cacheClient" exclude each other: configure the cache client you pass instead',
      );
    }
    this.#handler = akExpireHandler ?? new OssAKExpireHandler();
    this.#client = new OSS({ ...ossOptions, accessKeyId: PLACEHOLDER_KEY, accessKeySecret: PLACEHOLDER_KEY }) as RawClient;
    if (credentialsProvider !== undefined) {
      const lease = acquireCredentialsProviderCache(credentialsProvider);
      this.#provider = lease.cache;
      this.#release = lease.release;
      this.secretName = lease.cache.name;
    } else if (cacheClient) {
      this.#provider = cacheClient;
      this.secretName = secretName as string;
    } else {
      const lease = acquireDefaultCacheClient(
        ConfigLoader.load(config === undefined ? {} : { options: config }),
        logger === undefined ? {} : { logger },
      );
      this.#provider = lease.client;
      this.#release = lease.release;
      this.secretName = secretName as string;
    }
    // From here on, the name the provider knows the credential by.
    const name = this.secretName;
    this.#acceptance = new KeyAcceptance(this.#provider, name);
    const handler = this.#handler;
    this.#managed = {
      provider: this.#provider,
      secretName: name,
      client: 'ali-oss',
      isKeyRejected: (error) => handler.judgeAKExpire(error),
      // ali-oss cannot read the error body of some calls (getStream): a bare 403 only suggests a bad key.
      isSuspected: isCodeless403,
      // The request hook knows which key signed the failed request (a multipart part may use a newer one).
      signedWith: (error) => (typeof error === 'object' && error !== null ? signedWith.get(error) : undefined),
      acceptance: this.#acceptance,
      isClosed: () => this.#shutdown,
      signal: this.#shutdownController.signal,
    };
    this.#installRequestHook();
  }

  /** Resolves once the first credential is loaded (the first call waits for it anyway). */
  async ready(): Promise<void> {
    this.#assertOpen();
    this.#apply(await this.#provider.getCredential(this.secretName, { signal: this.#shutdownController.signal }));
  }

  /** The AccessKeyId the next request will be signed with, if a credential is loaded. */
  get accessKeyId(): string | undefined {
    return this.#provider.peekCredential(this.secretName)?.accessKeyId;
  }

  /**
   * A snapshot of the wrapped client's options without the AccessKey secret and token (read-only; use
   * `useBucket` to change the bucket).
   */
  get options(): Readonly<Record<string, unknown>> {
    const { accessKeySecret: _secret, stsToken: _token, ...rest } = this.#client.options;
    return Object.freeze({ ...rest, accessKeyId: this.accessKeyId });
  }

  /**
   * Releases the shared cache reference (closing the cache when this was its last user). Idempotent.
   * Later calls reject with `ProxyBucket.Shutdown`.
   */
  async shutdown(): Promise<void> {
    if (this.#shutdown) return;
    this.#shutdownController.abort(this.#shutdownError());
    this.#removeAllListeners();
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }

  /**
   * Listens to an event of the cache for this bucket's secret only: `rotate` (the AccessKeyId changed),
   * `refresh` (a fetch succeeded), `error` (a fetch failed), `stale` (the last good key is served while KMS
   * fails), `reject` (OSS rejected a key). Payloads carry key ids and fingerprints, never secrets. Listeners
   * are removed by `shutdown()`. Costs nothing per call.
   * @throws ProxyBucketError `ProxyBucket.EventsUnsupported` when the `cacheClient` given has no events
   */
  on<K extends BucketEventName>(event: K, listener: BucketEventListener<K>): this {
    this.#assertOpen();
    if (typeof listener !== 'function') {
      throw new ProxyBucketError(ProxyBucketErrorCode.InvalidOptions, `ProxyBucket.on("${String(event)}") needs a listener function`);
    }
    const emitter = this.#eventSource(event);
    const byListener = (this.#listeners ??= new Map()).get(event) ?? new Map<AnyFunction, AnyFunction>();
    this.#listeners.set(event, byListener);
    if (byListener.has(listener as AnyFunction)) return this;
    const secretName = this.secretName;
    const wrapper = (payload: unknown) => {
      if ((payload as { secretName?: unknown } | undefined)?.secretName === secretName) {
        (listener as (payload: unknown) => void)(payload);
      }
    };
    byListener.set(listener as AnyFunction, wrapper);
    emitter.on(event, wrapper);
    return this;
  }

  /** Removes a listener added with {@link ProxyBucket.on}. */
  off<K extends BucketEventName>(event: K, listener: BucketEventListener<K>): this {
    const byListener = this.#listeners?.get(event);
    const wrapper = byListener?.get(listener as AnyFunction);
    if (byListener === undefined || wrapper === undefined) return this;
    byListener.delete(listener as AnyFunction);
    (this.#provider as unknown as EventSource).off(event, wrapper);
    return this;
  }

  /** Same as {@link ProxyBucket.shutdown}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** Secret-free summary. */
  toJSON(): Record<string, unknown> {
    const options = this.#client.options;
    return {
      secretName: this.secretName,
      bucket: options.bucket ?? undefined,
      endpoint: (options.endpoint as { host?: string } | undefined)?.host,
      region: options.region,
      accessKeyId: this.accessKeyId ?? null,
      shutdown: this.#shutdown,
    };
  }

  /** `ProxyBucket(secret -> bucket, key LTAI...)`. */
  toString(): string {
    const summary = this.toJSON();
    return `ProxyBucket(${this.secretName} -> ${String(summary.bucket ?? '-')}, key ${String(summary.accessKeyId)})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `ProxyBucket ${inspect(this.toJSON(), options)}`;
  }

  /** Runs an ali-oss call method with refresh-and-retry-once on a rejected key. */
  #call(method: string, args: unknown[]): Promise<unknown> {
    if (this.#shutdown) return Promise.reject(this.#shutdownError());
    const optionsIndex = RESUMABLE_METHODS.get(method);
    if (optionsIndex !== undefined) return this.#callResumable(method, args, optionsIndex);
    // A direct `request` must take the instance's hooked request: the prototype one would skip the key.
    const original = method === 'request' ? (this.#client.request as unknown as AnyFunction) : RAW_PROTOTYPE[method]!;
    // One inline closure: the warm path allocates this function per call and nothing else.
    return callWithManagedKey(
      this.#managed,
      (credential) => original.apply(this.#clientWith(credential), args) as Promise<unknown>,
      isReplayableCall(method, args),
    );
  }

  /**
   * A managed multipart call (`multipartUpload`, `multipartUploadCopy`) whose retry resumes from the last
   * checkpoint its `progress` callback handed out (same uploadId, finished parts kept) instead of starting
   * a new upload and orphaning the old one with its billable parts.
   */
  #callResumable(method: string, args: unknown[], optionsIndex: number): Promise<unknown> {
    const userOptions = (args[optionsIndex] ?? {}) as Record<string, unknown>;
    const userProgress = userOptions.progress as AnyFunction | undefined;
    let checkpoint = userOptions.checkpoint;
    const progress = async (percentage: unknown, latest: unknown, res: unknown) => {
      if (latest) checkpoint = latest;
      return userProgress?.call(undefined, percentage, latest, res);
    };
    return callWithManagedKey(
      this.#managed,
      (credential, attempt) => {
        const attemptArgs = [...args];
        const resume = attempt > 0 && checkpoint ? { checkpoint } : {};
        attemptArgs[optionsIndex] = { ...userOptions, progress, ...resume };
        return RAW_PROTOTYPE[method]!.apply(this.#clientWith(credential), attemptArgs) as Promise<unknown>;
      },
      isReplayableCall(method, args),
    );
  }

  /**
   * Runs `action` with the cache's current key applied, waiting for the first load only when nothing is
   * loaded yet. The warm path stays synchronous: this wraps every call and every HTTP request. Signers such
   * as `asyncSignatureUrl` read the key without a request, so calls need it as well as the request hook.
   */
  #withCurrentKey<T>(action: (credential: AccessKeyCredential) => T): T | Promise<T> {
    const loaded = this.#provider.peekCredential(this.secretName);
    if (loaded) return action(this.#apply(loaded));
    // A request inside a running call (a multipart part) whose key was rejected meanwhile waits for the
    // replacement; the bucket's shutdown ends that wait.
    return this.#provider
      .getCredential(this.secretName, { signal: this.#shutdownController.signal })
      .then((credential) => action(this.#apply(credential)));
  }

  /** The wrapped client with `credential` applied, for an attempt of a call. */
  #clientWith(credential: AccessKeyCredential): RawClient {
    this.#apply(credential);
    return this.#client;
  }

  /** Puts the credential's triple into the wrapped client's options, all three fields together. */
  #apply(credential: AccessKeyCredential): AccessKeyCredential {
    if (credential !== this.#applied) {
      const options = this.#client.options;
      options.accessKeyId = credential.accessKeyId;
      options.accessKeySecret = credential.accessKeySecret;
      options.stsToken = credential.securityToken;
      this.#applied = credential;
    }
    return credential;
  }

  /**
   * Every HTTP request of the wrapped client, including the ones ali-oss makes internally (multipart
   * parts), goes through `this.request`; an own property on the instance puts the current key in place
   * right before ali-oss signs synchronously, and remembers which key signed a failed request.
   */
  #installRequestHook(): void {
    const rawRequest = RAW_PROTOTYPE.request!;
    Object.defineProperty(this.#client, 'request', {
      configurable: true,
      writable: true,
      enumerable: false,
      value: (params: unknown) => {
        this.#assertOpen();
        return this.#withCurrentKey((credential) =>
          (rawRequest.call(this.#client, params) as Promise<unknown>).then(
            (result) => {
              this.#acceptance.succeeded(credential.accessKeyId);
              return result;
            },
            (error: unknown) => {
              if (typeof error === 'object' && error !== null) signedWith.set(error, credential.accessKeyId);
              redactServiceError(error, credential);
              throw error;
            },
          ),
        );
      },
    });
  }

  /** Synchronous signer: uses the loaded key, or explains how to wait for it. */
  #callSyncSigner(method: string, args: unknown[]): unknown {
    this.#assertOpen();
    const credential = this.#provider.peekCredential(this.secretName);
    if (!credential) {
      throw new ProxyBucketError(
        ProxyBucketErrorCode.NotReady,
        `ProxyBucket.${method}() is synchronous and the credential of secret "${this.secretName}" is not loaded yet: ` +
          'await bucket.ready() first, or use an async variant (asyncSignatureUrl, signatureUrlV4)',
      );
    }
    this.#apply(credential);
    return RAW_PROTOTYPE[method]!.apply(this.#client, args);
  }

  /** `request` gets the call treatment; `requestError`, `parseXML`, `checkBrowserAndVersion` read no key. */
  #callPlumbing(method: string, args: unknown[]): unknown {
    if (method === 'request') return this.#call(method, args);
    return RAW_PROTOTYPE[method]!.apply(this.#client, args);
  }

  #callSyncPlain(method: string, args: unknown[]): unknown {
    const result = RAW_PROTOTYPE[method]!.apply(this.#client, args);
    return result === this.#client ? this : result; // useBucket/setBucket chain on the proxy
  }

  #eventSource(event: string): EventSource {
    const provider = this.#provider as Partial<EventSource>;
    if (typeof provider.on !== 'function' || typeof provider.off !== 'function') {
      throw new ProxyBucketError(
        ProxyBucketErrorCode.EventsUnsupported,
        `ProxyBucket.on("${event}"): the cacheClient of this bucket has no events (it needs on/off, as SecretCacheClient)`,
      );
    }
    return provider as EventSource;
  }

  #removeAllListeners(): void {
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    for (const [event, byListener] of listeners) {
      for (const wrapper of byListener.values()) (this.#provider as unknown as EventSource).off(event, wrapper);
    }
  }

  #assertOpen(): void {
    if (this.#shutdown) throw this.#shutdownError();
  }

  #shutdownError(): ProxyBucketError {
    return new ProxyBucketError(ProxyBucketErrorCode.Shutdown, `ProxyBucket for secret "${this.secretName}" was shut down`);
  }

  /** @internal Method dispatch used by the generated prototype methods. */
  static dispatch(bucket: ProxyBucket, method: string, args: unknown[]): unknown {
    if (SYNC_SIGNING_METHODS.has(method)) return bucket.#callSyncSigner(method, args);
    if (SYNC_PLAIN_METHODS.has(method)) return bucket.#callSyncPlain(method, args);
    if (PLUMBING_METHODS.has(method)) return bucket.#callPlumbing(method, args);
    return bucket.#call(method, args);
  }
}

for (const method of [...callMethodNames(OSS.prototype), ...SYNC_SIGNING_METHODS, ...SYNC_PLAIN_METHODS, ...PLUMBING_METHODS]) {
  if (typeof RAW_PROTOTYPE[method] !== 'function' || method in ProxyBucket.prototype) continue;
  Object.defineProperty(ProxyBucket.prototype, method, {
    configurable: true,
    writable: true,
    enumerable: false,
    value: {
      [method](this: ProxyBucket, ...args: unknown[]) {
        return ProxyBucket.dispatch(this, method, args);
      },
    }[method],
  });
}
