import { describe, expect, it } from 'vitest';
import { SecretCacheErrorCode } from '../../src/cache/secret-cache-error.js';
import { ConfigErrorCode } from '../../src/config/config-error.js';
import { SecretDataErrorCode } from '../../src/credentials/secret-data-error.js';
import { fetchDeadlineAtMs } from '../../src/kms/fetch-timeout-error.js';
import { FailoverSecretSource } from '../../src/kms/failover/failover-secret-source.js';
import { KmsErrorCode } from '../../src/kms/kms-error.js';
import { readClientKeyFileSync } from '../../src/kms/dkms/client-key-loader.js';
import { resolveOpenApiEndpoint } from '../../src/kms/openapi/open-api-endpoint.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { ProxyBucketErrorCode } from '../../src/oss/proxy-bucket-error.js';
import { OpenTelemetryErrorCode } from '../../src/telemetry/open-telemetry-error.js';
import { ManagedCredentialsProvider } from '../../src/tea/managed-credentials-provider.js';
import { ManagedClientErrorCode } from '../../src/tea/managed-client-error.js';

// Every error class with codes of its own publishes them as one documented constant object, in one style:
// `{ Name: '<Prefix>.Name' }`, one prefix per class.
const CODE_OBJECTS: Record<string, Record<string, string>> = {
  ConfigErrorCode,
  SecretCacheErrorCode,
  SecretDataErrorCode,
  ProxyBucketErrorCode,
  OpenTelemetryErrorCode,
  KmsErrorCode,
  ManagedClientErrorCode,
};

describe('error code constants', () => {
  it.each(Object.entries(CODE_OBJECTS))('%s: each value is "<one prefix>.<its key>"', (_name, codes) => {
    const prefixes = new Set<string>();
    for (const [key, value] of Object.entries(codes)) {
      const [prefix, suffix] = value.split('.');
      expect(suffix).toBe(key);
      prefixes.add(prefix!);
    }
    expect(prefixes.size).toBe(1);
  });

  it('are the codes the errors carry', () => {
    expect(() => readClientKeyFileSync('/nonexistent/clientKey.json', 'pw')).toThrow(
      expect.objectContaining({ name: 'ConfigError', code: ConfigErrorCode.FileNotFound, file: '/nonexistent/clientKey.json' }),
    );
    expect(() => resolveOpenApiEndpoint({ regionId: 'not a region' })).toThrow(
      expect.objectContaining({ name: 'ConfigError', code: ConfigErrorCode.InvalidValue, field: 'regionId' }),
    );
    expect(() => new ProxyBucket({ secretName: '' } as never)).toThrow(
      expect.objectContaining({ name: 'ProxyBucketError', code: ProxyBucketErrorCode.InvalidOptions }),
    );
    // Misuse of a source is a KmsError too (these were plain ManagedCredentialsErrors with ad-hoc codes).
    expect(() => fetchDeadlineAtMs(0, -1, 'dkms(a)')).toThrow(
      expect.objectContaining({ name: 'KmsError', code: KmsErrorCode.InvalidOptions, retryable: false }),
    );
    expect(() => new FailoverSecretSource({ sources: [] })).toThrow(
      expect.objectContaining({ name: 'KmsError', code: KmsErrorCode.InvalidOptions }),
    );
    expect(() => new ManagedCredentialsProvider({ secretName: '' })).toThrow(
      expect.objectContaining({ name: 'ManagedClientError', code: ManagedClientErrorCode.InvalidOptions }),
    );
  });
});
