export * from './open-api-secret-source.js';
export * from './open-api-endpoint.js';
