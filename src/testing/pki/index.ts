/**
 * Test PKI: a private CA chain with a server certificate, and ClientKeys in the KMS console's format.
 * TEST ONLY.
 *
 * @packageDocumentation
 */
export * from './test-rsa-key.js';
export * from './test-pki.js';
export * from './test-client-key.js';
export * from './legacy-pkcs12.js';
