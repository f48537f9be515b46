/**
 * Secret sources, clocks and pacing: what you need to build a `SecretCacheClient` by hand (a KMS instance or
 * the KMS OpenAPI without a properties file, a failover group of your own, a virtual clock in tests). Most
 * applications never import this: `ProxyBucket`, `createManagedClient` and `SecretCacheClient.fromConfig`
 * build all of it from the configuration.
 *
 * @packageDocumentation
 */
// Our declarations use Node.js types (Buffer, KeyObject): see the same reference in the root entry point.
/// <reference types="node" preserve="true" />

// What a source is, and the value it answers with
export type { SecretSource, GetSecretValueRequest, GetSecretValueOptions } from '../kms/secret-source.js';

// A KMS instance (DKMS), authenticated by an application access point's ClientKey
export { DkmsSecretSource, type DkmsSourceOptions } from '../kms/dkms/dkms-secret-source.js';
export type { ClientKey } from '../kms/dkms/client-key.js';
export { clientKeyFromPem, readClientKeyFile } from '../kms/dkms/client-key-loader.js';

// The shared KMS gateway (OpenAPI), authenticated by a RAM identity
export { OpenApiSecretSource, type OpenApiSecretSourceOptions } from '../kms/openapi/open-api-secret-source.js';
export type { OpenApiEndpoint } from '../kms/openapi/open-api-endpoint.js';

// The official KMS Agent on this host (or a sidecar in the pod), over loopback HTTP with its token
export { KmsAgentSecretSource, type KmsAgentSourceOptions } from '../kms/agent/kms-agent-secret-source.js';

// Several sources as one: failover, retries and throttle pacing (the one retry layer)
export { FailoverSecretSource, type FailoverSecretSourceOptions } from '../kms/failover/failover-secret-source.js';
export type { ThrottlePacing } from '../kms/throttle-pacing.js';
export { secretSourceFromConfig } from '../kms/secret-source-from-config.js';

// The cache's pacing after a rejected key, and time
export { DEFAULT_RECOVERY_PACING, type RecoveryPacing } from '../cache/recovery-policy.js';
export type { BackoffPolicy } from '../runtime/backoff.js';
export { systemClock, type Clock, type TimerHandle, type TimerOptions, type RandomSource } from '../runtime/clock.js';
