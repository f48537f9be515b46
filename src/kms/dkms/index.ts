/**
 * The KMS instance API ("DKMS") secret source and ClientKey loading.
 *
 * @packageDocumentation
 */
export * from './client-key.js';
export * from './client-key-loader.js';
export * from './dkms-secret-source.js';
