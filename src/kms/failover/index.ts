export * from './failover-secret-source.js';
