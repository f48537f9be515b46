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
export * from './errors/managed-credentials-error.js';
export * from './runtime/clock.js';
export * from './kms/secret-source.js';
export * from './kms/secret-info.js';
export * from './kms/kms-error.js';
export * from './kms/dkms/index.js';
export * from './kms/openapi/index.js';
export * from './kms/failover/index.js';
export * from './kms/secret-source-from-config.js';
export * from './credentials/index.js';
export * from './cache/index.js';
export * from './config/index.js';
export * from './oss/index.js';
export * from './defaults/default-cache-client.js';
