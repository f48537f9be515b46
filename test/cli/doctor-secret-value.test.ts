import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor/doctor-report.js';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { createDoctorFixture, type DoctorFixture } from './doctor-fixture.js';

// doctor judges the secret's value with ProxyBucket's own parser: a value ProxyBucket rejects fails the
// check with the same error code, and doctor never says "All checks passed" for it.
const BUCKET = 'doctor-value-bucket';
const GENERIC_VALUE = 'a plain database password, not an AccessKey';
const SECRETS = {
  'generic-text': { secretData: GENERIC_VALUE },
  'json-without-secret': { secretData: JSON.stringify({ AccessKeyId: 'LTAI5tNoSecretHere' }) },
  'json-array': { secretData: '["LTAI5tInAnArray"]' },
} as const;

let dkms: LocalDkms;
let oss: LocalOss;
let dir: string;
let fixture: DoctorFixture;
let config: string;

beforeAll(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: [BUCKET] })]);
  for (const [name, input] of Object.entries(SECRETS)) dkms.setSecret(name, input);
  dir = await mkdtemp(join(tmpdir(), 'doctor-value-test-'));
  fixture = await createDoctorFixture(dir, dkms);
  config = await fixture.properties('value.properties', {}, 'generic-text');
});

afterAll(async () => {
  await Promise.all([dkms.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
  fixture.expectNoSecretPrinted([GENERIC_VALUE, dkms.clientKey.password]);
});

/** The error ProxyBucket's first call meets for `secretName`, over the same configuration. */
async function proxyBucketError(secretName: string): Promise<{ code?: string }> {
  const cache = new SecretCacheClient({ source: secretSourceFromConfig(ConfigLoader.load({ configName: config, env: {} })), ownsSource: true });
  const bucket = new ProxyBucket({ secretName, cacheClient: cache, ...oss.clientOptions(BUCKET) });
  try {
    return await bucket.get('any-object').then(
      () => ({}),
      (error: unknown) => error as { code?: string },
    );
  } finally {
    await bucket.shutdown();
    await cache.close();
  }
}

describe('doctor: the secret value', () => {
  it.each([
    ['generic-text', 'SecretData.NotJson', 'does not hold an AccessKey'],
    ['json-without-secret', 'SecretData.MissingField', 'has no AccessKeySecret in its value'],
    ['json-array', 'SecretData.NotAnObject', 'does not hold an AccessKey'],
  ])('fails a secret whose value is not an AccessKey (%s) with ProxyBucket\'s error %s (exit 1)', async (secretName, code, advice) => {
    const { code: exitCode, out } = await fixture.doctor('--config', config, '--secret', secretName);
    expect(exitCode).toBe(1);
    expect(out).not.toContain('All checks passed');
    expect(out).toMatch(new RegExp(`FAIL dkms\\(${dkms.endpoint.replace(/\./g, '\\.')}, cn-hangzhou\\): \\d+ ms, version \\d+, type Generic; the value is not a usable AccessKey\\n`));
    expect(out).toContain(`        ${code}: SecretData of secret ${secretName} (version `);
    expect(out).toContain(`next step: Secret "${secretName}" (type Generic) ${advice}, so ProxyBucket rejects it.`);
    expect(out).toContain('managed RAM credential secret (SecretType RAMCredentials)');

    expect((await proxyBucketError(secretName)).code).toBe(code);
  });

  it('reports the value check in --json and skips OSS for want of a key', async () => {
    const ossRequestsBefore = oss.requests.entries().length;
    const { code, out } = await fixture.doctor('--config', config, '--bucket', BUCKET, '--endpoint', oss.endpoint, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as DoctorReport;
    expect(report.sources[0]).toMatchObject({ ok: false, secretType: 'Generic', problem: { code: 'SecretData.NotJson' } });
    expect(report.sources[0]!.accessKeyId).toBeUndefined();
    expect(report.oss).toMatchObject({ ok: false, problem: { code: 'Doctor.NoCredential' } });
    expect(oss.requests.entries()).toHaveLength(ossRequestsBefore);
  });
});
