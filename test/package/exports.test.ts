import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Loads the built package by its own name, the way a user's project would, through both module systems.
const require = createRequire(import.meta.url);
// Exactly these run-time names, no more: internals (timer arithmetic, key tables, parsers) must not leak. Types
// are listed in api/public-api.md (test/package/api-report.test.ts).
const expectedMain = [
  'AccessKeyCredential',
  'acquireDefaultCacheClient',
  'ClientKeyError',
  'ClientKeyErrorCode',
  'clientKeyFromPem',
  'CONFIG_FILE_ENV_VAR',
  'createManagedClient',
  'ConfigError',
  'ConfigErrorCode',
  'ConfigLoader',
  'DEFAULT_AK_EXPIRE_CODES',
  'DEFAULT_CONFIG_NAME',
  'DEFAULT_RECOVERY_PACING',
  'DEFAULT_TEA_AK_EXPIRE_CODES',
  'DkmsSecretSource',
  'enableOpenTelemetry',
  'FailoverSecretSource',
  'KmsError',
  'KmsErrorCode',
  'MANAGED_CREDENTIALS_PROVIDER_NAME',
  'ManagedClientError',
  'ManagedClientErrorCode',
  'ManagedCredentialsError',
  'ManagedCredentialsProvider',
  'OpenApiSecretSource',
  'OpenApiSourceConfigError',
  'OpenApiSourceConfigErrorCode',
  'OpenTelemetryError',
  'OpenTelemetryErrorCode',
  'OssAKExpireHandler',
  'ProxyBucket',
  'ProxyBucketError',
  'ProxyBucketErrorCode',
  'readClientKeyFile',
  'SECRET_CACHE_CHANNELS',
  'SecretCacheClient',
  'SecretCacheError',
  'SecretCacheErrorCode',
  'SecretDataError',
  'SecretDataErrorCode',
  'SecretInfo',
  'MANAGED_CALL_CHANNELS',
  'secretSourceFromConfig',
  'shutdownManagedClient',
  'systemClock',
  'TeaAKExpireHandler',
];
const expectedTesting = [
  'ACS_CURRENT',
  'ACS_PREVIOUS',
  'createTestClientKey',
  'createTestPki',
  'LocalDkms',
  'LocalKms',
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

  it('exposes the testing entry point through both module systems', async () => {
    const esm = (await import('ali-oss-managed-credentials/testing')) as Record<string, unknown>;
    const cjs = require('ali-oss-managed-credentials/testing') as Record<string, unknown>;
    expect(sorted(Object.keys(cjs))).toEqual(sorted(expectedTesting));
    expect(Object.keys(esm).filter((k) => k !== 'default').sort()).toEqual(Object.keys(cjs).sort());
  });
});
