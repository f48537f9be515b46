/**
 * Local emulators of DKMS, the KMS OpenAPI and OSS, for this library's tests and for yours.
 *
 * @packageDocumentation
 */
export * from './dkms/index.js';
export * from './kms/index.js';
export * from './oss/index.js';
