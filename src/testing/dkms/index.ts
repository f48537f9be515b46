/**
 * LocalDkms: a KMS instance gateway emulator for tests, plus its fault and request types.
 *
 * @packageDocumentation
 */
export * from './local-dkms.js';
export * from './dkms-fault.js';
export type { DkmsErrorAnswer } from './dkms-request-verifier.js';
