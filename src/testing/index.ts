/**
 * Local emulators of DKMS, the KMS OpenAPI and OSS, for this library's tests and for yours, plus the test
 * PKI and secret store they are built on.
 *
 * @packageDocumentation
 */
// Our declarations use Node.js types (Buffer, EventEmitter, KeyObject, AsyncDisposable): the reference makes
// a consumer's compiler load them even where `types` is empty (the TypeScript 6 default). `@types/node` is a
// dependency of this package, so the copy npm places at the top of a fresh install is one (>= 20.11) that
// declares everything we use, not the old one (12.x) some `@alicloud` packages bring.
/// <reference types="node" preserve="true" />
export * from './dkms/index.js';
export * from './kms/index.js';
export * from './oss/index.js';
export * from './pki/index.js';
export * from './secret-store.js';
