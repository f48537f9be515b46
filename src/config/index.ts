export * from './ram-credentials-config.js';
export * from './config-error.js';
export * from './config-keys.js';
export * from './provider-config.js';
export * from './config-loader.js';
export * from './config-identity.js';
export * from './render-config-table-markdown.js';
