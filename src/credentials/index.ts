export * from './access-key-credential.js';
export * from './credential-provider.js';
export * from './secret-data-error.js';
export * from './parse-access-key-credential.js';
export * from './is-ram-user-access-key-secret.js';
export * from './read-secret-data-refresh-hints.js';
