/**
 * ali-oss-managed-credentials: a drop-in `ali-oss` client whose AccessKey comes from a managed RAM
 * credential in Alibaba Cloud KMS Secrets Manager and follows its rotation.
 *
 * @packageDocumentation
 */
// Our declarations use Node.js types (Buffer, EventEmitter, KeyObject, AsyncDisposable): the reference makes
// a consumer's compiler load them even where `types` is empty (the TypeScript 6 default). `@types/node` is a
// dependency of this package, so the copy npm places at the top of a fresh install is one (>= 20.11) that
// declares everything we use, not the old one (12.x) some `@alicloud` packages bring.
/// <reference types="node" preserve="true" />

// The public API, name by name: what a user constructs, configures, catches or implements. Secret sources,
// clocks and pacing (for building a SecretCacheClient by hand) are in `ali-oss-managed-credentials/sources`.
// Everything else (schedules, parsers, key tables, timer arithmetic) stays internal so it can change without
// a breaking release; api/public-api.md is the reviewed report of these lists (`npm run api-report`).

// ali-oss adapter
export {
  ProxyBucket,
  type ProxyBucketOptions,
  type ProxyBucketBaseOptions,
  type ProxyBucketSecretOptions,
  type ProxyBucketProviderOptions,
  type ProxyBucketErrorAnnotations,
} from './oss/proxy-bucket.js';
export { ProxyBucketError, ProxyBucketErrorCode } from './oss/proxy-bucket-error.js';
export type { OssBucket, BucketEventName, BucketEventListener } from './oss/oss-bucket.js';
export type { ManagedCredentialsLogger } from './runtime/managed-credentials-logger.js';
export type { AKExpireHandler } from './oss/ak-expire-handler.js';
export {
  OssAKExpireHandler,
  DEFAULT_AK_EXPIRE_CODES,
  type OssAKExpireHandlerOptions,
} from './oss/oss-ak-expire-handler.js';
export type { AliOssExtraOptions, AliOssUndeclaredMethods } from './oss/ali-oss-extras.js';

// Tea SDK adapter (Alibaba Cloud clients such as @alicloud/sts20150401, @alicloud/oss20190517)
export {
  createManagedClient,
  type ManagedClientOptions,
  type ManagedClientBaseOptions,
  type ManagedClientSecretOptions,
  type ManagedClientProviderOptions,
  type TeaClientClass,
} from './tea/create-managed-client.js';
export { shutdownManagedClient } from './tea/shutdown-managed-client.js';
export {
  ManagedCredentialsProvider,
  MANAGED_CREDENTIALS_PROVIDER_NAME,
  type ManagedCredentialsProviderOptions,
} from './tea/managed-credentials-provider.js';
export type { TeaCredentials } from './tea/tea-credentials.js';
export { TeaAKExpireHandler, DEFAULT_TEA_AK_EXPIRE_CODES } from './tea/tea-ak-expire-handler.js';
export { ManagedClientError, ManagedClientErrorCode } from './tea/managed-client-error.js';

// Any Alibaba Cloud credential (STS, ECS RAM role, RRSA, CLI profile...) instead of a KMS secret
export {
  CredentialsProviderCache,
  DEFAULT_PROVIDER_MAX_AGE_MS,
  type CredentialsProviderCacheOptions,
  type CredentialsProviderCacheListener,
} from './credentials/credentials-provider-cache.js';
export type {
  AlibabaCloudCredential,
  AsyncCredentialsProvider,
  CredentialsProviderLike,
  ProvidedCredentials,
} from './credentials/credentials-provider-like.js';

// The shared cache
export { SecretCacheClient, type SecretCacheReadOptions } from './cache/secret-cache-client.js';
export type { SecretCacheClientOptions } from './cache/secret-cache-options.js';
export { SecretCacheError, SecretCacheErrorCode } from './cache/secret-cache-error.js';
export {
  SECRET_CACHE_CHANNELS,
  type RefreshTrigger,
  type SecretCacheEvents,
  type SecretErrorEvent,
  type SecretRefreshEvent,
  type SecretRejectEvent,
  type SecretRotateEvent,
  type SecretStaleEvent,
} from './cache/secret-cache-events.js';
export {
  MANAGED_CALL_CHANNELS,
  type ManagedCallClient,
  type ManagedCallRetryEvent,
} from './call/managed-call-events.js';
export type { RetryWithFreshBodyAnnotation } from './call/retry-with-fresh-body.js';
export type { SecretEntryState, SecretEntryStatus } from './cache/secret-entry-status.js';
export type { RefreshBasis } from './cache/refresh-schedule.js';
export type { SharedCacheClientLease } from './cache/shared-cache-client.js';
export { acquireDefaultCacheClient, type AcquireDefaultCacheClientOptions } from './defaults/default-cache-client.js';

// OpenTelemetry (optional: loads @opentelemetry/api only when enabled)
export { enableOpenTelemetry } from './telemetry/enable-open-telemetry.js';
export type { OpenTelemetryBridge } from './telemetry/open-telemetry-bridge.js';
export type {
  OpenTelemetryMeterProvider,
  OpenTelemetryOptions,
  OpenTelemetryTracerProvider,
} from './telemetry/open-telemetry-options.js';
export { OpenTelemetryError, OpenTelemetryErrorCode } from './telemetry/open-telemetry-error.js';

// Configuration
export {
  ConfigLoader,
  CONFIG_FILE_ENV_VAR,
  DEFAULT_CONFIG_NAME,
  type ConfigLoadInput,
  type ConfigOptions,
  type ConfigOptionValue,
} from './config/config-loader.js';
export type {
  CacheSettings,
  ConfigOrigin,
  ConfigWarning,
  DkmsInstanceConfig,
  KmsAgentConfig,
  ProviderConfig,
  RegionConfig,
} from './config/provider-config.js';
export type { RamCredentialsConfig } from './config/ram-credentials-config.js';
export type { ConfigKeyName, ConfigSource } from './config/config-keys.js';
export { ConfigError, ConfigErrorCode, type ConfigErrorLocation } from './config/config-error.js';

// Credentials and secrets
export { AccessKeyCredential, type AccessKeyCredentialFields } from './credentials/access-key-credential.js';
export type { CredentialProvider, GetCredentialOptions, RefreshNowOptions, RefreshOutcome } from './credentials/credential-provider.js';
export type { Deadline } from './runtime/deadline.js';
export { SecretDataError, SecretDataErrorCode } from './credentials/secret-data-error.js';
export { SecretInfo, type SecretInfoFields } from './kms/secret-info.js';

// Errors: the base class, and KMS's (the \`cause\` of a failed refresh). The configuration's, the cache's and
// the clients' are above, beside what raises them.
export { ManagedCredentialsError, type ErrorCodeOf } from './errors/managed-credentials-error.js';
export { KmsError, KmsErrorCode, type KmsErrorDetails } from './kms/kms-error.js';
export type { ThrottleHints } from './kms/throttle-hints.js';
