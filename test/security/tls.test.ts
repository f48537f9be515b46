import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { clientKeyFromPem } from '../../src/kms/dkms/client-key-loader.js';
import { DkmsSecretSource, type DkmsSourceOptions } from '../../src/kms/dkms/dkms-secret-source.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { OpenApiSecretSource } from '../../src/kms/openapi/index.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import type { SecretSource } from '../../src/kms/secret-source.js';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalKms } from '../../src/testing/kms/index.js';
import { createTestClientKey, createTestPki, type TestLeafCertificateOptions, type TestPki } from '../../src/testing/pki/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';

// TLS is verified by default, for DKMS and for the OpenAPI: an expired or not-yet-valid server
// certificate, or one for another host name, is rejected even when its CA is trusted, before any request
// (and so any signature or credential) is sent. test/kms covers a wrong CA and an intermediate-only bundle;
// this adds validity periods and host names, and the configuration path.

const DAY_MS = 24 * 60 * 60 * 1000;
const SECRET = 'oss-ram-ak';
const AK = { accessKeyId: 'LTAI-tls-reader', accessKeySecret: 'tls-reader-secret-value' };
const now = Date.now();
const clientKey = createTestClientKey();
const store = new SecretStore();
store.setRamCredential(SECRET, { accessKeyId: 'LTAI-oss', accessKeySecret: 'oss-secret-value-1234567', rotationIntervalMs: 7 * DAY_MS });

// One label so every variant shares the same CA keys; only the leaf differs.
const pkiFor = (leaf: TestLeafCertificateOptions): TestPki =>
  createTestPki({ keyLabel: 'tls-suite', leaf });

const VARIANTS = {
  expired: { pki: pkiFor({ notBeforeMs: now - 30 * DAY_MS, notAfterMs: now - DAY_MS }), reason: /CERT_HAS_EXPIRED/ },
  notYetValid: { pki: pkiFor({ notBeforeMs: now + DAY_MS, notAfterMs: now + 30 * DAY_MS }), reason: /CERT_NOT_YET_VALID/ },
  otherHost: {
    pki: pkiFor({ dnsNames: ['kst-other0000000000000.cryptoservice.kms.aliyuncs.com'], ipAddresses: [] }),
    reason: /ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/,
  },
} as const;
type Variant = keyof typeof VARIANTS;

const dkmsServers = new Map<Variant, LocalDkms>();
const kmsServers = new Map<Variant, LocalKms>();
const sources: SecretSource[] = [];
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tls-suite-'));
  for (const [name, variant] of Object.entries(VARIANTS) as Array<[Variant, (typeof VARIANTS)[Variant]]>) {
    dkmsServers.set(name, await LocalDkms.start({ pki: variant.pki, clientKey, store }));
    const kms = await LocalKms.start({ store, tls: { certPem: variant.pki.leafChainPem, keyPem: variant.pki.leafKeyPem } });
    kms.addPrincipal(AK);
    kmsServers.set(name, kms);
  }
});
afterEach(async () => {
  for (const source of sources.splice(0)) await source.close?.();
});
afterAll(async () => {
  for (const server of dkmsServers.values()) await server.close();
  for (const server of kmsServers.values()) await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

function dkmsSource(variant: Variant, overrides: Partial<DkmsSourceOptions> = {}): DkmsSecretSource {
  const server = dkmsServers.get(variant)!;
  const source = new DkmsSecretSource({
    endpoint: server.endpoint,
    clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem),
    ca: server.caBundlePem, // the right CA: only the certificate itself is wrong
    ...overrides,
  });
  sources.push(source);
  return source;
}

async function kmsErrorOf(promise: Promise<unknown>): Promise<KmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  return error as KmsError;
}

describe.each(Object.keys(VARIANTS) as Variant[])('server certificate: %s', (variant) => {
  it('DKMS rejects it by default with a final TlsError, sending nothing and not retrying', async () => {
    const server = dkmsServers.get(variant)!;
    server.requests.length = 0;
    const error = await kmsErrorOf(dkmsSource(variant).getSecretValue({ secretName: SECRET }));
    expect(error).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
    expect(error.message).toMatch(VARIANTS[variant].reason);
    expect(server.requests).toEqual([]);
  });

  it('DKMS connects to it only with ignoreSslCerts (so the rejection above is the verification), warning once', async () => {
    const warnings: string[] = [];
    const info = await dkmsSource(variant, { ignoreSslCerts: true, onWarning: (m) => warnings.push(m) }).getSecretValue({ secretName: SECRET });
    expect(info.secretName).toBe(SECRET);
    expect(warnings).toHaveLength(1);
  });

  it('the OpenAPI source rejects it with a final TlsVerificationFailed, sending nothing', async () => {
    const server = kmsServers.get(variant)!;
    server.resetLog();
    const source = new OpenApiSecretSource({
      regionId: 'cn-hangzhou',
      endpoint: server.host,
      ca: VARIANTS[variant].pki.caBundlePem,
      credentials: { type: 'ak', ...AK },
    });
    sources.push(source);
    const error = await kmsErrorOf(source.getSecretValue({ secretName: SECRET }));
    expect(error).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
    expect(server.callCount).toBe(0);
    expect(error.message).not.toContain(AK.accessKeySecret);
  });

  it('a source built from a properties file (no TLS option set) rejects it too', async () => {
    const server = dkmsServers.get(variant)!;
    server.requests.length = 0;
    const dir = mkdtempSync(join(tmp, `${variant}-`));
    const files = await server.writeClientFiles(dir);
    const properties = join(dir, 'managed_credentials_providers.properties');
    writeFileSync(
      properties,
      `cache_client_dkms_config_info=${JSON.stringify([
        {
          regionId: 'cn-hangzhou',
          endpoint: server.endpoint,
          clientKeyFile: files.clientKeyFile,
          passwordFromFilePath: files.passwordFile,
          caFilePath: files.caFile,
        },
      ])}\nsecret_names=${SECRET}\n`,
    );
    const config = ConfigLoader.load({ configName: properties, env: {}, cwd: dir });
    const source = secretSourceFromConfig(config);
    sources.push(source);
    const error = await source.getSecretValue({ secretName: SECRET }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    // The group reports the TLS failure (possibly wrapped) and does not treat it as retryable.
    const chain: unknown[] = [];
    for (let e: unknown = error; e !== undefined && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
    expect(chain.some((e) => (e as { code?: string }).code === 'Kms.TlsVerificationFailed')).toBe(true);
    expect((error as { retryable?: boolean }).retryable).toBe(false);
    expect(server.requests).toEqual([]);
  });
});

describe('host name checks use the endpoint as configured', () => {
  it('a certificate for 127.0.0.1 only is rejected when the endpoint says localhost', async () => {
    const ipOnly = createTestPki({ keyLabel: 'tls-suite', leaf: { dnsNames: [], ipAddresses: ['127.0.0.1'], commonName: 'ip-only' } });
    const server = await LocalDkms.start({ pki: ipOnly, clientKey, store });
    try {
      const source = new DkmsSecretSource({
        endpoint: `localhost:${server.port}`,
        clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem),
        ca: ipOnly.caBundlePem,
      });
      sources.push(source);
      const error = await kmsErrorOf(source.getSecretValue({ secretName: SECRET }));
      // localhost may resolve to ::1 where nothing listens; either way nothing is accepted unverified.
      expect(['Kms.TlsVerificationFailed', 'Kms.NetworkError']).toContain(error.code);
      if (error.code === 'Kms.TlsVerificationFailed') expect(error.message).toMatch(/ALTNAME|HOSTNAME/);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
