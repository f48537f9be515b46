import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/index.js';
import type { SecretErrorEvent } from '../../src/cache/secret-cache-events.js';
import { ConfigLoader } from '../../src/config/config-loader.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { parseAccessKeyCredential } from '../../src/credentials/parse-access-key-credential.js';
import { clientKeyFromPem, parseClientKeyContent, readClientKeyFile } from '../../src/kms/dkms/client-key-loader.js';
import { DkmsSecretSource } from '../../src/kms/dkms/dkms-secret-source.js';
import { OpenApiSecretSource } from '../../src/kms/openapi/index.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalKms } from '../../src/testing/kms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { createTestClientKey, createTestPki } from '../../src/testing/pki/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { ManualCredentialProvider } from '../support/manual-credential-provider.js';
import { captureProcessOutput, findLeaks, leaksIn, type CapturedOutput, type KnownSecret, type SecretLeak } from '../support/secret-scanner.js';
import { captureProcessWarnings } from '../support/capture-output.js';

// Runs the library's error paths with known test secrets and scans everything a caller or operator could
// see: each error's message, stack, cause chain, util.inspect (showHidden, depth Infinity) and
// JSON.stringify, the objects around it (cache status and events, buckets, SecretInfo), and everything
// written to stdout/stderr, console or process warnings while the suite ran.

const OSS_SECRET_1 = 'OssSecretK1-Hq4Zt7Wm2Xp9Rv6Ls3Nd';
const OSS_SECRET_2 = 'OssSecretK2-Bc8Jy5Tg1Kf4Qw7Ua0Ze';
const STS_TOKEN = 'CAIS-StsToken-Yx3Vb6Nm9Ql2Wk5Ej8Rt1Uo4';
const KMS_READER_SECRET = 'KmsReaderSecret-Fg7Hj2Kl5Zx8Cv1Bn4';
const KMS_READER_WRONG_SECRET = 'KmsReaderWrong-Mn3Qa6Sd9Fg2Hj5Kl8';
const CLIENT_KEY_PASSWORD = 'ClientKeyPw-Vt4Rb7Yn0Um3Ik6Ol9Pa2';
const WRONG_PASSWORD = 'WrongClientKeyPw-Ws1Ed4Rf7Tg0Yh3';
const CONFIG_PASSWORD = 'ConfigPassword-Qz5Xw8Ec1Rv4Tb7Yn0';
const clientKey = createTestClientKey({ password: CLIENT_KEY_PASSWORD });
const otherClientKey = createTestClientKey({ keyLabel: 'hygiene-other', password: 'other-pw-Lk9Jh6Gf3Ds0Ap7' });
const pki = createTestPki({ keyLabel: 'hygiene' });
const SECRET_DATA_1 = JSON.stringify({ AccessKeyId: 'LTAI-K1', AccessKeySecret: OSS_SECRET_1, GenerateTimestamp: '2026-01-01T00:00:00Z' });

const SECRETS: KnownSecret[] = [
  { label: 'OSS AccessKeySecret K1', value: OSS_SECRET_1 },
  { label: 'OSS AccessKeySecret K2', value: OSS_SECRET_2 },
  { label: 'STS token', value: STS_TOKEN },
  { label: 'KMS reader AccessKeySecret', value: KMS_READER_SECRET },
  { label: 'KMS reader wrong secret', value: KMS_READER_WRONG_SECRET },
  { label: 'ClientKey password', value: CLIENT_KEY_PASSWORD },
  { label: 'wrong ClientKey password', value: WRONG_PASSWORD },
  { label: 'config password', value: CONFIG_PASSWORD },
  { label: 'other ClientKey password', value: otherClientKey.password },
  { label: 'ClientKey private key PEM', value: clientKey.privateKeyPem },
  { label: 'other private key PEM', value: otherClientKey.privateKeyPem },
  { label: 'ClientKey PKCS#12 data', value: clientKey.privateKeyData },
  { label: 'TLS server key PEM', value: pki.leafKeyPem },
  { label: 'SecretData JSON', value: SECRET_DATA_1 },
];

const observed: Array<{ context: string; value: unknown }> = [];
function observe(context: string, value: unknown): unknown {
  observed.push({ context, value });
  return value;
}
async function failureOf(context: string, action: () => unknown): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return observe(context, error);
  }
  throw new Error(`${context}: expected an error`);
}

function expectNoLeaks(leaks: SecretLeak[]): void {
  expect(leaks.map((l) => `${l.secret} in ${l.where}`)).toEqual([]);
}

let output: CapturedOutput;
let dir: string;
let dkms: LocalDkms;
let kms: LocalKms;
let oss: LocalOss;

beforeAll(async () => {
  output = captureProcessOutput();
  dir = mkdtempSync(join(tmpdir(), 'secret-hygiene-'));
  const store = new SecretStore();
  store.setSecret('oss-ram-ak', { secretType: 'RAMCredentials', secretData: SECRET_DATA_1, extendedConfig: { SecretSubType: 'RamUserAccessKey' } });
  dkms = await LocalDkms.start({ clientKey, pki, store });
  kms = await LocalKms.start({ store });
  kms.addPrincipal({ accessKeyId: 'LTAI-reader', accessKeySecret: KMS_READER_SECRET });
  oss = await LocalOss.start({ buckets: ['hygiene'] });
  oss.keys.add({ accessKeyId: 'LTAI-K1', accessKeySecret: OSS_SECRET_1 });
});
afterAll(async () => {
  output.restore();
  await dkms.close();
  await kms.close();
  await oss.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('configuration errors', () => {
  it('name the key, never the password or AccessKey secret', async () => {
    const write = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const clientKeyFile = write('clientKey_hygiene.json', clientKey.clientKeyJson);
    const passwordFile = write('password.txt', `${WRONG_PASSWORD}\n`);
    const dkmsEntry = { regionId: 'cn-hangzhou', endpoint: dkms.endpoint, clientKeyFile, passwordFromFilePath: passwordFile, caFilePath: write('ca.pem', pki.caBundlePem) };
    const cases: Array<[string, () => unknown]> = [
      ['ak without id', () => ConfigLoader.load({ env: {}, cwd: dir, options: { credentials_type: 'ak', credentials_access_secret: KMS_READER_SECRET, cache_client_region_id: '[{"regionId":"cn-hangzhou"}]' } as never })],
      ['password in the file', () => ConfigLoader.load({ env: {}, cwd: dir, configName: write('a.properties', `client_key_password=${CONFIG_PASSWORD}\ncache_client_dkms_config_info=${JSON.stringify([dkmsEntry])}\n`) })],
      ['broken JSON around a password', () => ConfigLoader.load({ env: {}, cwd: dir, configName: write('b.properties', `cache_client_dkms_config_info=[{"password":"${CONFIG_PASSWORD}" "regionId":"x"}]\n`) })],
      ['secret as a number-typed value', () => ConfigLoader.load({ env: { credentials_type: 'ak', credentials_access_key_id: 'LTAI-reader', credentials_access_secret: KMS_READER_SECRET, cache_client_region_id: '[{"regionId":"cn-hangzhou"}]', rotation_interval: CONFIG_PASSWORD }, cwd: dir })],
      ['unknown key holding a password', () => ConfigLoader.load({ env: {}, cwd: dir, configName: write('c.properties', `clientkey_password=${CONFIG_PASSWORD}\nsecret_names=s\n`) })],
      ['password env variable missing', () => ConfigLoader.load({ env: {}, cwd: dir, options: { cache_client_dkms_config_info: JSON.stringify([{ ...dkmsEntry, passwordFromFilePath: undefined, passwordFromEnvVariable: 'NOPE_PW' }]) } as never })],
      ['wrong password file through the config', () => secretSourceFromConfig(ConfigLoader.load({ env: {}, cwd: dir, options: { cache_client_dkms_config_info: JSON.stringify([dkmsEntry]) } as never }))],
    ];
    let errors = 0;
    for (const [name, action] of cases) {
      // Some of these load with a warning instead (a key not read from the file, an unknown key): then the
      // loaded configuration, warnings included, is what must be clean.
      let outcome: unknown;
      try {
        outcome = await action();
      } catch (error) {
        errors++;
        expect(error, name).toBeInstanceOf(Error);
        outcome = error;
      }
      observe(`config: ${name}`, outcome);
      expectNoLeaks(leaksIn(`config: ${name}`, outcome, SECRETS));
    }
    expect(errors).toBeGreaterThanOrEqual(4);
  });
});

describe('ClientKey errors', () => {
  it('wrong password, corrupted PKCS#12, PEM that is not a key: no password, key or container bytes', async () => {
    const path = join(dir, 'clientKey_wrong.json');
    writeFileSync(path, clientKey.clientKeyJson);
    const corrupted = JSON.stringify({ KeyId: clientKey.keyId, PrivateKeyData: clientKey.privateKeyData.slice(0, 400) });
    const errors = [
      await failureOf('ClientKey wrong password', () => readClientKeyFile(path, WRONG_PASSWORD)),
      await failureOf('ClientKey corrupted', () => parseClientKeyContent(corrupted, CLIENT_KEY_PASSWORD)),
      await failureOf('ClientKey JSON with a password', () => parseClientKeyContent(`{"KeyId": "${CLIENT_KEY_PASSWORD}", `, CLIENT_KEY_PASSWORD)),
      await failureOf('PEM public key as private', () => clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem.replace(/PRIVATE/g, 'PUBLIC'))),
    ];
    for (const error of errors) expectNoLeaks(leaksIn('ClientKey', error, SECRETS));
  });
});

describe('KMS errors', () => {
  it('DKMS signature rejected, TLS failure, and the OpenAPI with a wrong AccessKey secret', async () => {
    const wrongKey = new DkmsSecretSource({ endpoint: dkms.endpoint, clientKey: clientKeyFromPem(clientKey.keyId, otherClientKey.privateKeyPem), ca: pki.caBundlePem });
    const noCa = new DkmsSecretSource({ endpoint: dkms.endpoint, clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem) });
    const openApi = new OpenApiSecretSource({ regionId: 'cn-hangzhou', endpoint: kms.endpoint, credentials: { type: 'ak', accessKeyId: 'LTAI-reader', accessKeySecret: KMS_READER_WRONG_SECRET } });
    try {
      const errors = [
        await failureOf('DKMS wrong key', () => wrongKey.getSecretValue({ secretName: 'oss-ram-ak' })),
        await failureOf('DKMS TLS', () => noCa.getSecretValue({ secretName: 'oss-ram-ak' })),
        await failureOf('OpenAPI wrong secret', () => openApi.getSecretValue({ secretName: 'oss-ram-ak' })),
      ];
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['SignatureNotMatch', 'Kms.TlsVerificationFailed', expect.any(String)]);
      for (const error of errors) expectNoLeaks(leaksIn('KMS', error, SECRETS));
      observe('DKMS source', wrongKey);
      observe('OpenAPI source', openApi);
    } finally {
      wrongKey.close();
      noCa.close();
      openApi.close();
    }
  });

  it('a successful read: SecretInfo and the cache show fingerprints, not SecretData', async () => {
    const source = new DkmsSecretSource({ endpoint: dkms.endpoint, clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem), ca: pki.caBundlePem });
    const cache = new SecretCacheClient({ source, ownsSource: true });
    try {
      const info = await cache.getSecretInfo('oss-ram-ak');
      expect(info.secretData).toBe(SECRET_DATA_1); // readable on purpose
      const credential = await cache.getCredential('oss-ram-ak');
      for (const [context, value] of [['SecretInfo', info], ['credential', credential], ['cache', cache], ['status', cache.getStatus('oss-ram-ak')]] as const) {
        expectNoLeaks(leaksIn(context, observe(context, value), SECRETS));
      }
    } finally {
      await cache.close();
    }
  });
});

describe('SecretData errors', () => {
  const badData: Array<[string, string]> = [
    ['trailing comma', `{"AccessKeyId":"LTAI-K1","AccessKeySecret":"${OSS_SECRET_1}",}`],
    ['secret with whitespace', JSON.stringify({ AccessKeyId: 'LTAI-K1', AccessKeySecret: `${OSS_SECRET_1} ${STS_TOKEN}` })],
    ['secret as an array', JSON.stringify({ AccessKeyId: 'LTAI-K1', AccessKeySecret: [OSS_SECRET_1] })],
    ['id is the secret by mistake, no secret', JSON.stringify({ AccessKeyId: `${OSS_SECRET_2}`, SecurityToken: STS_TOKEN })],
    ['bad timestamp next to a token', JSON.stringify({ AccessKeyId: 'LTAI-K1', AccessKeySecret: OSS_SECRET_1, SecurityToken: STS_TOKEN, ExpireTimestamp: STS_TOKEN })],
    ['not an object', JSON.stringify(OSS_SECRET_1)],
  ];

  it.each(badData)('parseAccessKeyCredential: %s', async (name, secretData) => {
    const error = await failureOf(`SecretData ${name}`, () => parseAccessKeyCredential({ secretName: 'oss-ram-ak', secretData, versionId: 'v1' }));
    expect(error).toMatchObject({ name: 'SecretDataError' });
    expectNoLeaks(leaksIn(`SecretData ${name}`, error, SECRETS));
  });

  it('through the cache: at first load, and during a refresh (error event, stale status)', async () => {
    const store = new SecretStore();
    store.setSecret('ram', { secretType: 'RAMCredentials', secretData: badData[0]![1], extendedConfig: { SecretSubType: 'RamUserAccessKey' } });
    const server = await LocalDkms.start({ clientKey, pki, store });
    const source = new DkmsSecretSource({ endpoint: server.endpoint, clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem), ca: pki.caBundlePem });
    const cache = new SecretCacheClient({ source, ownsSource: true });
    const events: SecretErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    try {
      await failureOf('cache first load', () => cache.getCredential('ram'));
      store.setSecret('ram', { secretType: 'RAMCredentials', secretData: SECRET_DATA_1, extendedConfig: { SecretSubType: 'RamUserAccessKey' } });
      await once(cache, 'refresh'); // the background retry of the failed first load heals it
      await cache.getCredential('ram');
      store.rotate('ram', badData[1]![1]);
      const outcome = await cache.refreshNow('ram');
      expect(outcome).toMatchObject({ via: 'failed', changed: false });
      observe('refresh outcome', outcome);
      observe('stale status', cache.getStatus('ram'));
      observe('cache after errors', cache);
      expect(events.length).toBeGreaterThanOrEqual(2);
      for (const event of events) expectNoLeaks(leaksIn('cache error event', observe('cache error event', event), SECRETS));
    } finally {
      await cache.close();
      await server.close();
    }
  });
});

describe('OSS errors through ProxyBucket', () => {
  it('InvalidAccessKeyId, SignatureDoesNotMatch, InvalidSecurityToken, a consumed stream: no secret or token anywhere', async () => {
    const k1 = new AccessKeyCredential({ accessKeyId: 'LTAI-K1', accessKeySecret: OSS_SECRET_1 });
    const provider = new ManualCredentialProvider(k1);
    const bucket = new ProxyBucket({ secretName: 'oss-ram-ak', cacheClient: provider, ...oss.clientOptions('hygiene') });
    try {
      await bucket.put('ok.txt', Buffer.from('ok'));
      // Wrong secret for the id.
      provider.current = new AccessKeyCredential({ accessKeyId: 'LTAI-K1', accessKeySecret: OSS_SECRET_2 });
      await failureOf('SignatureDoesNotMatch', () => bucket.put('a.txt', Buffer.from('a')));
      // STS token OSS does not know.
      oss.keys.add({ accessKeyId: 'STS.K3', accessKeySecret: OSS_SECRET_2, securityToken: 'server-side-token-0000000000' });
      provider.current = new AccessKeyCredential({ accessKeyId: 'STS.K3', accessKeySecret: OSS_SECRET_2, securityToken: STS_TOKEN });
      await failureOf('InvalidSecurityToken', () => bucket.put('b.txt', Buffer.from('b')));
      await failureOf('InvalidSecurityToken on HEAD', () => bucket.head('b.txt'));
      await failureOf('InvalidSecurityToken on getStream', async () => {
        const { stream } = await bucket.getStream('ok.txt');
        for await (const _ of stream as AsyncIterable<Buffer>) void _;
      });
      const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
      await failureOf('InvalidSecurityToken on get(name, writable)', () => bucket.get('ok.txt', sink));
      await failureOf('InvalidSecurityToken on putStream', () => bucket.putStream('d.txt', Readable.from([Buffer.from('d')])));
      await failureOf('InvalidSecurityToken on multipartUpload', () => bucket.multipartUpload('e.bin', Buffer.alloc(200 * 1024, 1), { partSize: 100 * 1024 }));
      // Revoked key, new key fetched, consumed stream body: retryWithFreshBody.
      provider.current = k1;
      oss.keys.add({ accessKeyId: 'LTAI-K2', accessKeySecret: OSS_SECRET_2 });
      oss.keys.revoke('LTAI-K1');
      provider.nextFetched = new AccessKeyCredential({ accessKeyId: 'LTAI-K2', accessKeySecret: OSS_SECRET_2 });
      const streamError = await failureOf('retryWithFreshBody', () => bucket.putStream('c.txt', Readable.from([Buffer.from('c')])));
      expect(streamError).toMatchObject({ retryWithFreshBody: true });
      provider.current = k1;
      await failureOf('InvalidAccessKeyId, refresh finds nothing new', () => bucket.list({ 'max-keys': 1 }, {}));
      observe('bucket', bucket);
      observe('bucket options', bucket.options);
      for (const { context, value } of observed.filter((o) => !o.context.startsWith('config'))) {
        expectNoLeaks(leaksIn(context, value, SECRETS));
      }
    } finally {
      await bucket.shutdown();
    }
  });
});

describe('process output', () => {
  it('insecure-TLS warnings and everything printed while the suite ran contain no secret', async () => {
    // Default onWarning: process.emitWarning (captured, so the expected warning is checked, not printed).
    const warnings = captureProcessWarnings();
    try {
      const insecure = new DkmsSecretSource({ endpoint: dkms.endpoint, clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem), ignoreSslCerts: true });
      await insecure.getSecretValue({ secretName: 'oss-ram-ak' });
      insecure.close();
    } finally {
      warnings.restore();
    }
    const insecureWarnings = warnings.messages().filter((m) => m.includes('ignoreSslCerts'));
    expect(insecureWarnings).toEqual([expect.stringMatching(/^\[ALI_OSS_MC_INSECURE_TLS\] /)]);
    expectNoLeaks(findLeaks([...output.texts, ...insecureWarnings.map((text) => ({ where: 'process warning', text }))], SECRETS));
    // Every object observed above, once more, all together.
    for (const { context, value } of observed) expectNoLeaks(leaksIn(context, value, SECRETS));
    expect(observed.length).toBeGreaterThan(25);
  });
});
