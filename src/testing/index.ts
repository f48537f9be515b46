/**
 * Local emulators of DKMS, the KMS OpenAPI, the KMS Agent and OSS, for this library's tests and for yours, plus the test
 * PKI and secret store they are built on.
 *
 * @packageDocumentation
 */
// Our declarations use Node.js types (Buffer, EventEmitter, KeyObject, AsyncDisposable): the reference makes
// a consumer's compiler load them even where `types` is empty (the TypeScript 6 default). `@types/node` is a
// dependency of this package, so the copy npm places at the top of a fresh install is one (>= 20.11) that
// declares everything we use, not the old one (12.x) some `@alicloud` packages bring.
/// <reference types="node" preserve="true" />

// The emulators and what their methods take and return, name by name; their internals (signature codecs,
// PKCS#12 encoding, request logs' implementations) stay private. Reviewed in api/public-api.md.

// DKMS (a KMS instance)
export {
  LocalDkms,
  type LocalDkmsClientFiles,
  type LocalDkmsOptions,
  type LocalDkmsRequestRecord,
} from './dkms/local-dkms.js';
export type { DkmsFault, DkmsFaultOptions } from './dkms/dkms-fault.js';
export type { DkmsErrorAnswer } from './dkms/dkms-request-verifier.js';

// Throttle hints for the emulators' throttling faults
export { throttleHintHeaders } from './throttle-hint-headers.js';
export type { ThrottleHints } from '../kms/throttle-hints.js';

// The Alibaba Cloud OpenAPI gateway (any product and action), and the key registry shared with LocalOss
export { LocalOpenApi, type LocalOpenApiOptions } from './openapi/local-open-api.js';
export { LocalOpenApiError } from './openapi/local-open-api-error.js';
export { OpenApiServiceError, type OpenApiErrorAnswer } from './openapi/open-api-service-error.js';
export type {
  OpenApiCall,
  OpenApiHandler,
  OpenApiRoute,
  OpenApiSignatureKind,
  OpenApiStyle,
} from './openapi/open-api-call.js';
export type { OpenApiFault, OpenApiFaultAnswer, OpenApiFaultOptions } from './openapi/open-api-fault.js';
export type {
  OpenApiRequestCounters,
  OpenApiRequestLog,
  OpenApiRequestLogWriter,
  OpenApiRequestRecord,
  OpenApiRequestRecordDraft,
} from './openapi/open-api-request-log.js';
export type {
  AccessKeyInfo,
  AccessKeyRecord,
  AccessKeyRegistration,
  AccessKeyRegistry,
  AccessKeyRegistryMisuse,
} from './access-key-registry.js';

// KMS OpenAPI and STS
export { LocalKms, type LocalKmsOptions, type LocalKmsPrincipal } from './kms/local-kms.js';
export type { LocalKmsFault } from './kms/local-kms-fault.js';
export type { LocalKmsRequestRecord } from './kms/local-kms-request-record.js';
export { LocalSts, type LocalStsOptions, type LocalStsRequestRecord } from './kms/local-sts.js';

// The KMS Agent (host agent or pod sidecar): token check, TTL cache in front of a store or a KMS source
export { LocalKmsAgent, type LocalKmsAgentOptions, type LocalKmsAgentRequestRecord } from './agent/local-kms-agent.js';

// OSS
export {
  LocalOss,
  type LocalOssAddressing,
  type LocalOssClientOptions,
  type LocalOssObject,
  type LocalOssOptions,
} from './oss/local-oss.js';
export { LocalOssError } from './oss/local-oss-error.js';
export { OSS_ERRORS, OssServiceError, type OssErrorCode, type OssServiceErrorDetails } from './oss/oss-service-error.js';
export type { OssKeyRegistry, OssKeyInfo, OssKeyRecord, OssKeyRegistration } from './oss/oss-key-registry.js';
export type { OssRequestLog, OssRequestCounters, OssRequestRecord } from './oss/oss-request-log.js';
export type { OssAuthKind } from './oss/request-authenticator.js';
export type { OssObjectType } from './oss/object-store.js';

// The secret store behind both KMS emulators
export {
  ACS_CURRENT,
  ACS_PREVIOUS,
  SecretStore,
  type RamCredentialInput,
  type RotationInput,
  type SecretInput,
  type SecretStoreOptions,
  type SecretVersionRecord,
  type VersionSelector,
} from './secret-store.js';

// Test PKI: a CA, server certificates and DKMS client keys
export { createTestPki, type TestLeafCertificateOptions, type TestPki, type TestPkiOptions } from './pki/test-pki.js';
export { createTestClientKey, type TestClientKey, type TestClientKeyOptions } from './pki/test-client-key.js';
