export * from './access-key-credential.js';
export * from './credential-provider.js';
