import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Loads the built package by its own name, the way a user's project would, through both module systems.
const require = createRequire(import.meta.url);
// Exactly these run-time names, no more: internals (timer arithmetic, key tables, parsers) must not leak. Types
// are listed in api/public-api.md (test/package/api-report.test.ts).
const expectedMain = [
  'AccessKeyCredential',
  'acquireDefaultCacheClient',
  'CONFIG_FILE_ENV_VAR',
  'createManagedClient',
  'CredentialsProviderCache',
  'ConfigError',
  'ConfigErrorCode',
  'ConfigLoader',
  'DEFAULT_AK_EXPIRE_CODES',
  'DEFAULT_CONFIG_NAME',
  'DEFAULT_PROVIDER_MAX_AGE_MS',
  'DEFAULT_TEA_AK_EXPIRE_CODES',
  'enableOpenTelemetry',
  'KmsError',
  'KmsErrorCode',
  'MANAGED_CREDENTIALS_PROVIDER_NAME',
  'ManagedClientError',
  'ManagedClientErrorCode',
  'ManagedCredentialsError',
  'ManagedCredentialsProvider',
  'OpenTelemetryError',
  'OpenTelemetryErrorCode',
  'OssAKExpireHandler',
  'ProxyBucket',
  'ProxyBucketError',
  'ProxyBucketErrorCode',
  'SECRET_CACHE_CHANNELS',
  'SecretCacheClient',
  'SecretCacheError',
  'SecretCacheErrorCode',
  'SecretDataError',
  'SecretDataErrorCode',
  'SecretInfo',
  'MANAGED_CALL_CHANNELS',
  'shutdownManagedClient',
  'TeaAKExpireHandler',
];
const expectedSources = [
  'clientKeyFromPem',
  'DEFAULT_RECOVERY_PACING',
  'DkmsSecretSource',
  'FailoverSecretSource',
  'KmsAgentSecretSource',
  'OpenApiSecretSource',
  'readClientKeyFile',
  'secretSourceFromConfig',
  'systemClock',
];
const expectedTesting = [
  'ACS_CURRENT',
  'ACS_PREVIOUS',
  'createTestClientKey',
  'createTestPki',
  'LocalDkms',
  'LocalKms',
  'LocalKmsAgent',
  'LocalOpenApi',
  'LocalOpenApiError',
  'LocalOss',
  'LocalOssError',
  'LocalSts',
  'OpenApiServiceError',
  'OSS_ERRORS',
  'OssServiceError',
  'SecretStore',
  'throttleHintHeaders',
];
const sorted = (names: string[]): string[] => [...names].sort((a, b) => a.localeCompare(b));

describe('built package', () => {
  it('exposes the public API through require()', () => {
    const main = require('ali-oss-managed-credentials') as Record<string, unknown>;
    expect(sorted(Object.keys(main))).toEqual(sorted(expectedMain));
    for (const name of ['ProxyBucket', 'OssAKExpireHandler', 'SecretCacheClient', 'ConfigLoader', 'KmsError']) {
      expect(typeof main[name], name).toBe('function');
    }
  });

  it('exposes the same API through import', async () => {
    const esm = (await import('ali-oss-managed-credentials')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials') as Record<string, unknown>;
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
  });

  it('exposes the sources entry point through both module systems, sharing classes with the root', async () => {
    const esm = (await import('ali-oss-managed-credentials/sources')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials/sources') as Record<string, unknown>;
    expect(sorted(Object.keys(cjs))).toEqual(sorted(expectedSources));
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
    // A source built from the subpath fails with the root's error classes: one copy of each class per format.
    const root = (await import('ali-oss-managed-credentials')) as { KmsError: new (...args: never[]) => Error };
    const { FailoverSecretSource } = esm as { FailoverSecretSource: new (options: { sources: unknown[] }) => unknown };
    expect(() => new FailoverSecretSource({ sources: [] })).toThrow(root.KmsError);
  });

  it('exposes the testing entry point through both module systems', async () => {
    const esm = (await import('ali-oss-managed-credentials/testing')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials/testing') as Record<string, unknown>;
    expect(sorted(Object.keys(cjs))).toEqual(sorted(expectedTesting));
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
  });
});
