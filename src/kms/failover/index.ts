export * from './failover-secret-source.js';
export * from './is-retryable-error.js';
