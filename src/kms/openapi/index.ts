export * from './open-api-secret-source.js';
export * from './open-api-source-config-error.js';
export * from './open-api-endpoint.js';
