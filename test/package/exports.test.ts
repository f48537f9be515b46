import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Loads the built package by its own name, the way a user's project would, through both module systems.
const require = createRequire(import.meta.url);
const expectedMain = [
  'ProxyBucket',
  'OssAKExpireHandler',
  'SecretCacheClient',
  'ConfigLoader',
  'ConfigError',
  'KmsError',
  'SecretInfo',
  'AccessKeyCredential',
  'DkmsSecretSource',
  'OpenApiSecretSource',
  'FailoverSecretSource',
  'acquireDefaultCacheClient',
];
const expectedTesting = ['LocalDkms', 'LocalKms', 'LocalOss', 'SecretStore', 'createTestPki'];

describe('built package', () => {
  it('exposes the public API through require()', () => {
    const main = require('ali-oss-managed-credentials') as Record<string, unknown>;
    for (const name of expectedMain) expect(typeof main[name], name).toBe('function');
  });

  it('exposes the same API through import', async () => {
    const esm = (await import('ali-oss-managed-credentials')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials') as Record<string, unknown>;
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
  });

  it('exposes the testing entry point through both module systems', async () => {
    const esm = (await import('ali-oss-managed-credentials/testing')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials/testing') as Record<string, unknown>;
    for (const name of expectedTesting) expect(typeof cjs[name], name).toBe('function');
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
  });
});
