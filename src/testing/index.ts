/**
 * Local emulators of DKMS, the KMS OpenAPI and OSS, for this library's tests and for yours, plus the test
 * PKI and secret store they are built on.
 *
 * @packageDocumentation
 */
export * from './dkms/index.js';
export * from './kms/index.js';
export * from './oss/index.js';
export * from './pki/index.js';
export * from './secret-store.js';
