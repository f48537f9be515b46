import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import { callWithManagedKey, type ManagedKeyClient } from '../call/call-with-managed-key.js';
import { KeyAcceptance } from '../call/key-acceptance.js';
import type { CredentialProvider } from '../credentials/credential-provider.js';
import type { ConfigOptions } from '../config/config-loader.js';
import type { AKExpireHandler } from '../oss/ak-expire-handler.js';
import { cjsDefaultExport } from '../runtime/cjs-default-export.js';
import { redactServiceError } from '../call/redact-service-error.js';
import type { ManagedCredentialsLogger } from '../runtime/managed-credentials-logger.js';
import { loadCredentialClass, type CredentialClass } from './load-credential-class.js';
import { ManagedClientError, ManagedClientErrorCode } from './managed-client-error.js';
import { managedClients, managedProviders } from './managed-clients.js';
import { MANAGED_CREDENTIALS_PROVIDER_NAME, ManagedCredentialsProvider } from './managed-credentials-provider.js';
import { PinnedClientViews } from './pinned-client-views.js';
import { TeaAKExpireHandler } from './tea-ak-expire-handler.js';
import { isReplayableTeaRequest } from './tea-replayability.js';
import { TEA_REQUEST_METHODS } from './tea-request-methods.js';
import { CredentialsProviderCache } from '../credentials/credentials-provider-cache.js';
import { credentialsProviderShape, type CredentialsProviderLike } from '../credentials/credentials-provider-like.js';
import { acquireCredentialsProviderCache } from '../credentials/shared-credentials-provider-cache.js';

/** The options every {@link createManagedClient} call takes, whatever the credentials come from. */
export interface ManagedClientBaseOptions {
  /**
   * Judges which errors mean "key rejected" (it receives the SDK's error); default a {@link TeaAKExpireHandler}
   * with {@link DEFAULT_TEA_AK_EXPIRE_CODES}. A handler that throws counts as "no".
   */
  akExpireHandler?: AKExpireHandler;
  /** Receives the configuration's warnings instead of `process.emitWarning`. */
  logger?: ManagedCredentialsLogger;
}

/** Credentials of a Tea client from a managed RAM credential in KMS. */
export interface ManagedClientSecretOptions {
  /** Name of the KMS secret that holds the managed RAM credential. */
  secretName: string;
  /** Not with `secretName`: a client has one source of credentials. */
  credentialsProvider?: undefined;
  /**
   * Where credentials come from (normally a `SecretCacheClient`). Default: the process-wide shared client for
   * the loaded configuration, the same one ProxyBuckets use, released by {@link shutdownManagedClient}. A
   * client you pass is yours: shutting the Tea client down does not close it.
   */
  cacheClient?: CredentialProvider;
  /** Configuration in code, keyed like the properties file. Not allowed together with `cacheClient`. */
  config?: ConfigOptions;
}

/** Credentials of a Tea client from any other Alibaba Cloud credential (STS, ECS RAM role, RRSA...). */
export interface ManagedClientProviderOptions {
  /**
   * An OSS-v2-style provider (`{ getCredentials() }`), an `@alicloud/credentials` `Credential`, or a
   * {@link CredentialsProviderCache}; shared with the ProxyBuckets over the same provider object (one ask in
   * flight, once per token, a rejected key replaced once for all).
   */
  credentialsProvider: CredentialsProviderLike | CredentialsProviderCache;
  /** Not with `credentialsProvider`. */
  secretName?: undefined;
  /** Not with `credentialsProvider` (pass a `CredentialsProviderCache` as `credentialsProvider` to tune it). */
  cacheClient?: undefined;
  /** Not with `credentialsProvider`. */
  config?: undefined;
}

/** Options of {@link createManagedClient}: exactly one of `secretName` and `credentialsProvider`. */
export type ManagedClientOptions = ManagedClientBaseOptions & (ManagedClientSecretOptions | ManagedClientProviderOptions);

/** A Tea SDK client class: constructed from one config object (`new Sts20150401(config)`). */
export type TeaClientClass = new (config: never) => object;

/** Config fields that would make the client ignore the managed credential (they win over `credential`). */
const CREDENTIAL_FIELDS = ['accessKeyId', 'accessKeySecret', 'securityToken', 'bearerToken', 'credential'] as const;

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * Builds an Alibaba Cloud "Tea" SDK client (`@alicloud/<product><version>`) whose AccessKey comes from a
 * managed RAM credential in KMS (`secretName`) or from any other credential (`credentialsProvider`, on the same
 * core as a ProxyBucket over it): `new ClientClass(config)` with `config.credential` set to an
 * `@alicloud/credentials` `Credential` over a {@link ManagedCredentialsProvider}, and the instance's low-level
 * request methods (`doRPCRequest`, `doROARequest`, `doROARequestWithForm`, `doRequest`, `execute`, those
 * present) wrapped so that a rejected key is recovered from like ProxyBucket does:
 *
 * - each attempt is signed with one key the cache chose (pinned for the attempt, also across the SDK's own
 *   network retries and its separate id/secret/token reads), so the key that failed is known exactly;
 * - an error judged by `akExpireHandler` (default: `InvalidAccessKeyId.NotFound`, `InvalidAccessKeyId`,
 *   `InvalidAccessKeyId.Inactive`, `Unauthorized`, `InvalidSecurityToken.*`, and rpc-client's `...Error`
 *   forms) forces the cache's coalesced refresh (one KMS call however many calls failed), and the request is
 *   sent once more, only if the key changed and it carries no stream body. A consumed stream is never re-sent:
 *   the error is rethrown with `retryWithFreshBody: true`.
 *
 * Synchronous, like `new ClientClass(config)`. Verified with clients on `@alicloud/openapi-client` 0.4.x
 * (`@alicloud/oss20190517`), on `@alicloud/openapi-core` 1.x (`@alicloud/sts20150401`) and on the legacy
 * `@alicloud/rpc-client` 1.x (`@alicloud/kms20160120` 1.x). openapi-core's `callSSEApi` (server-sent events)
 * reads the current key but is not retried. Release the client with {@link shutdownManagedClient}; later calls
 * reject with `ManagedClient.Shutdown`.
 *
 * @param ClientClass - the generated client class, e.g. the default export of `@alicloud/sts20150401`; the module
 *   itself is accepted too (`import Sts from '@alicloud/sts20150401'` in Node ESM gives the CommonJS exports,
 *   whose `default` is the class)
 * @param config - its config (`new $OpenApi.Config({ regionId, endpoint, ... })`) without any AccessKey,
 *   bearer token or credential; it is copied, not changed
 * @param options - the secret (or the `credentialsProvider`) and, optionally, the judge, cache, configuration and logger
 * @returns an instance of `ClientClass` with its full type
 * @throws ManagedClientError `ManagedClient.InvalidOptions` for invalid options, a config with credentials or a
 *   class that does not sign with `config.credential`; `ManagedClient.CredentialsPackageUnsupported` for an
 *   `@alicloud/credentials` older than 2.4.1; `ConfigError` `ConfigError.PackagesMissing` without `@alicloud/credentials`; `ConfigError`
 *   when the configuration cannot be loaded
 *
 * @example
 * ```ts
 * import Sts from '@alicloud/sts20150401';
 * import { $OpenApiUtil } from '@alicloud/openapi-core';
 * const sts = createManagedClient(Sts, new $OpenApiUtil.Config({ regionId: 'cn-hangzhou' }), { secretName: 'ram-ak' });
 * const who = await sts.getCallerIdentity();
 * await shutdownManagedClient(sts);
 * ```
 */
export function createManagedClient<C extends TeaClientClass>(
  ClientClass: C | { readonly default: C },
  config: ConstructorParameters<C>[0],
  options: ManagedClientOptions,
): InstanceType<C> {
  const Client = typeof ClientClass === 'object' && ClientClass !== null ? cjsDefaultExport<C | undefined>(ClientClass) : ClientClass;
  if (typeof Client !== 'function') throw invalid('the first argument must be a Tea SDK client class');
  if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
  if (typeof config !== 'object' || config === null) throw invalid('config must be an object (the client\'s Config)');
  const { secretName, credentialsProvider, akExpireHandler, cacheClient } = options as ManagedClientBaseOptions &
    Partial<Omit<ManagedClientSecretOptions, 'credentialsProvider'> & Omit<ManagedClientProviderOptions, 'secretName' | 'cacheClient' | 'config'>>;
  if ((secretName === undefined) === (credentialsProvider === undefined)) {
    throw invalid('needs exactly one of the options "secretName" (a managed RAM credential in KMS) and "credentialsProvider" (any other credential)');
  }
  if (credentialsProvider !== undefined) {
    for (const name of ['cacheClient', 'config'] as const) {
      if (options[name] !== undefined) throw invalid(`option "${name}" is not allowed with "credentialsProvider" (it configures the KMS secret cache)`);
    }
    if (!(credentialsProvider instanceof CredentialsProviderCache) && credentialsProviderShape(credentialsProvider) === undefined) {
      throw invalid('option "credentialsProvider" must have getCredentials() (OSS v2 SDK shape) or getCredential() (an @alicloud/credentials Credential)');
    }
  } else if (typeof secretName !== 'string' || secretName.trim() === '') {
    throw invalid('option "secretName" must be a non-empty string');
  }
  const origin = credentialsProvider === undefined ? `the secret "${String(secretName)}"` : 'the credentialsProvider';
  for (const field of CREDENTIAL_FIELDS) {
    const value = (config as Record<string, unknown>)[field];
    if (value !== undefined && value !== null && value !== '') {
      throw invalid(`config field "${field}" is not allowed: the AccessKey comes from ${origin}`);
    }
  }
  if (akExpireHandler !== undefined && typeof akExpireHandler?.judgeAKExpire !== 'function') {
    throw invalid('option "akExpireHandler" must have a judgeAKExpire(error) method');
  }
  const Credential = loadCredentialClass();
  // Over a credentialsProvider: the cache shared per provider object, given back by shutdownManagedClient.
  const lease = credentialsProvider === undefined ? undefined : acquireCredentialsProviderCache(credentialsProvider);
  let provider: ManagedCredentialsProvider;
  try {
    provider = new ManagedCredentialsProvider({
      secretName: lease?.cache.name ?? (secretName as string),
      ...(lease !== undefined ? { cacheClient: lease.cache } : cacheClient === undefined ? {} : { cacheClient }),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  } catch (error) {
    lease?.release().catch(() => undefined);
    throw error;
  }
  managedProviders.add(provider);
  try {
    const credential = new Credential(null, provider);
    if (credential.getType() !== MANAGED_CREDENTIALS_PROVIDER_NAME) {
      throw new ManagedClientError(
        ManagedClientErrorCode.CredentialsPackageUnsupported,
        'the installed @alicloud/credentials ignores custom credentials providers (they need >= 2.4.1): npm install @alicloud/credentials@^2.4.7',
      );
    }
    // A copy with the same prototype: a Tea Config is a model class whose methods the client may call.
    const ownConfig = Object.assign(Object.create(Object.getPrototypeOf(config) as object) as object, config, { credential });
    const client = new Client(ownConfig as never) as InstanceType<C>;
    if ((client as { _credential?: unknown })._credential !== credential) {
      throw invalid('this client class does not sign with config.credential (not a Tea SDK client on openapi-client, openapi-core or rpc-client?)');
    }
    wrapRequestMethods(client, provider, akExpireHandler ?? new TeaAKExpireHandler(), Credential);
    managedClients.set(client, lease === undefined ? { provider } : { provider, release: lease.release });
    return client;
  } catch (error) {
    // The shared cache reference must not leak with a client that was never built; the construction error is
    // the one to report, and a failed release must not become an unhandled rejection.
    provider.close().catch(() => undefined);
    lease?.release().catch(() => undefined);
    throw error;
  }
}

/** Replaces the low-level request methods of this one instance with managed ones. */
function wrapRequestMethods(
  client: object,
  provider: ManagedCredentialsProvider,
  handler: AKExpireHandler,
  Credential: CredentialClass,
): void {
  const acceptance = new KeyAcceptance(provider.cacheClient, provider.secretName);
  // Built once per client: a call allocates only its attempt function.
  const keyClient: ManagedKeyClient = {
    provider: provider.cacheClient,
    secretName: provider.secretName,
    client: 'tea',
    isKeyRejected: (error) => handler.judgeAKExpire(error),
    acceptance,
    isClosed: () => provider.closed,
    signal: provider.closeSignal,
  };
  const target = client as Record<string, unknown>;
  const originals = new Map<string, AnyMethod>();
  for (const method of TEA_REQUEST_METHODS) {
    if (typeof target[method] === 'function') originals.set(method, target[method] as AnyMethod);
  }
  const views = new PinnedClientViews(client, originals, Credential, MANAGED_CREDENTIALS_PROVIDER_NAME);
  for (const [method, original] of originals) {
    const managed = async (args: unknown[]): Promise<unknown> => {
      if (provider.closed) throw shutdownError(provider.secretName, method);
      return callWithManagedKey(
        keyClient,
        (credential) => attempt(credential, acceptance, () => original.apply(views.for(credential), args) as Promise<unknown>),
        isReplayableTeaRequest(args),
      );
    };
    Object.defineProperty(client, method, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: { [method]: (...args: unknown[]) => managed(args) }[method],
    });
  }
}

/** One attempt signed with `credential`: a success reported, the error redacted. */
async function attempt(credential: AccessKeyCredential, acceptance: KeyAcceptance, send: () => Promise<unknown>): Promise<unknown> {
  try {
    const result = await send();
    acceptance.succeeded(credential.accessKeyId);
    return result;
  } catch (error) {
    // The SDK keeps its last request on some errors (after its network retries): an STS token is in its headers.
    redactServiceError(error, credential);
    throw error;
  }
}

function shutdownError(secretName: string, method: string): ManagedClientError {
  return new ManagedClientError(
    ManagedClientErrorCode.Shutdown,
    `the managed client for secret "${secretName}" was shut down (${method} called after shutdownManagedClient)`,
  );
}

function invalid(message: string): ManagedClientError {
  return new ManagedClientError(ManagedClientErrorCode.InvalidOptions, `createManagedClient: ${message}`);
}
