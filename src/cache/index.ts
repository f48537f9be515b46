/**
 * SecretCacheClient: the rotation-aware, single-flight secret cache, and its parts.
 *
 * @packageDocumentation
 */
export * from './secret-cache-client.js';
export * from './secret-cache-options.js';
export * from './secret-cache-error.js';
export * from './secret-cache-events.js';
export * from './secret-entry-status.js';
export * from './refresh-schedule.js';
export { DEFAULT_RECOVERY_PACING, type RecoveryPacing } from './recovery-policy.js';
export * from './shared-cache-client.js';
