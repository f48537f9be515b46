import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RamCredentialsConfig } from '../../../src/config/ram-credentials-config.js';
import { KmsError } from '../../../src/kms/kms-error.js';
import { OpenApiSecretSource } from '../../../src/kms/openapi/index.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { LocalKms } from '../../../src/testing/kms/index.js';
import { throttleHintHeaders } from '../../../src/testing/throttle-hint-headers.js';
import { createTestPki, type TestPki } from '../../../src/testing/pki/index.js';
import { SecretStore } from '../../../src/testing/secret-store.js';
import { ScriptedHttpServer } from '../../support/scripted-http-server.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const AK = { accessKeyId: 'LTAI-kms-reader', accessKeySecret: 'reader-secret-123' };
const akConfig: RamCredentialsConfig = { type: 'ak', ...AK };
const RAM_SECRET = { accessKeyId: 'LTAI-oss-user', accessKeySecret: 'oss-user-secret-xyz' };
const WEEK_MS = 7 * 24 * 3600 * 1000;
/** Open TCP sockets of this process (client and server side) and connections being made. */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'ConnectWrap').length;

let store: SecretStore;
let kms: LocalKms;
let pki: TestPki;
let tmp: string;
const sources: OpenApiSecretSource[] = [];

function source(options: Partial<ConstructorParameters<typeof OpenApiSecretSource>[0]> = {}): OpenApiSecretSource {
  const created = new OpenApiSecretSource({ regionId: 'cn-hangzhou', endpoint: kms.endpoint, credentials: akConfig, ...options });
  sources.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<KmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  return error as KmsError;
}

beforeAll(async () => {
  store = new SecretStore();
  store.setRamCredential('oss-ram-ak', { ...RAM_SECRET, rotationIntervalMs: WEEK_MS, userName: 'oss-writer' });
  kms = await LocalKms.start({ store });
  kms.addPrincipal(AK);
  pki = createTestPki();
  tmp = mkdtempSync(join(tmpdir(), 'openapi-source-'));
});

afterEach(() => {
  kms.clearFaults();
  kms.resetLog();
  for (const s of sources.splice(0)) s.close();
});

afterAll(async () => {
  await kms.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('OpenApiSecretSource against LocalKms', () => {
  it('fetches and normalizes a rotating RAM credential secret with a signed RPC call', async () => {
    const info = await source().getSecretValue({ secretName: 'oss-ram-ak' });
    expect(JSON.parse(info.secretData)).toMatchObject({ AccessKeyId: RAM_SECRET.accessKeyId, AccessKeySecret: RAM_SECRET.accessKeySecret });
    const stored = store.getVersion('oss-ram-ak');
    expect(info).toMatchObject({
      secretName: 'oss-ram-ak',
      secretType: 'RAMCredentials',
      secretDataType: 'text',
      versionId: stored?.versionId,
      versionStages: ['ACSCurrent'],
      automaticRotation: 'Enabled',
      rotationIntervalMs: WEEK_MS,
      extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: 'oss-writer' },
    });
    // KMS dates have second precision.
    expect(info.createTimeMs).toBe(Math.floor((stored?.createTimeMs ?? 0) / 1000) * 1000);
    expect(info.nextRotationDateMs).toBe(Math.floor((stored?.nextRotationDateMs ?? 0) / 1000) * 1000);
    expect(info.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(kms.requests).toEqual([
      expect.objectContaining({
        action: 'GetSecretValue',
        version: '2016-01-20',
        signatureAlgorithm: 'ACS3-HMAC-SHA256',
        accessKeyId: AK.accessKeyId,
        secretName: 'oss-ram-ak',
        fetchExtendedConfig: 'true',
        hasSecurityToken: false,
        httpStatus: 200,
      }),
    ]);
    // The value never shows up in logs or serializations.
    expect(JSON.stringify(info)).not.toContain(RAM_SECRET.accessKeySecret);
    expect(inspect(info)).not.toContain(RAM_SECRET.accessKeySecret);
  });

  it('passes VersionStage and FetchExtendedConfig=false through', async () => {
    store.setRamCredential('rotated', { accessKeyId: 'LTAI-old', accessKeySecret: 'old-secret' });
    store.rotate('rotated', { accessKeyId: 'LTAI-new', accessKeySecret: 'new-secret' });
    const previous = await source().getSecretValue({ secretName: 'rotated', versionStage: 'ACSPrevious', fetchExtendedConfig: false });
    expect(JSON.parse(previous.secretData)).toMatchObject({ AccessKeyId: 'LTAI-old' });
    expect(previous.versionStages).toEqual(['ACSPrevious']);
    expect(previous.extendedConfig).toBeUndefined();
    expect(previous.rotationIntervalMs).toBeUndefined();
    expect(kms.requests[0]).toMatchObject({ versionStage: 'ACSPrevious', fetchExtendedConfig: 'false' });
  });

  it('maps a missing secret to a final Forbidden.ResourceNotFound with status and request id', async () => {
    const error = await failure(source().getSecretValue({ secretName: 'no-such-secret' }));
    expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false });
    expect(error.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(error.source).toBe(`openapi(${kms.host})`);
    expect(error.message).toContain('no-such-secret');
  });

  it('is rejected with a wrong AccessKeySecret (final, and the secret is not in the message)', async () => {
    const error = await failure(
      source({ credentials: { type: 'ak', accessKeyId: AK.accessKeyId, accessKeySecret: 'wrong-secret-456' } }).getSecretValue({
        secretName: 'oss-ram-ak',
      }),
    );
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', httpStatus: 400, retryable: false });
    expect(error.message).not.toContain('wrong-secret-456');
    expect(kms.requests[0]).toMatchObject({ errorCode: 'SignatureDoesNotMatch' });
  });

  it('is rejected with an unknown AccessKeyId, and when the identity may not read the secret', async () => {
    const unknown = await failure(
      source({ credentials: { type: 'ak', accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' } }).getSecretValue({ secretName: 'oss-ram-ak' }),
    );
    expect(unknown).toMatchObject({ code: 'InvalidAccessKeyId.NotFound', httpStatus: 404, retryable: false });
    kms.addPrincipal({ accessKeyId: 'LTAI-limited', accessKeySecret: 'limited-secret', allowedSecrets: ['other'] });
    const denied = await failure(
      source({ credentials: { type: 'ak', accessKeyId: 'LTAI-limited', accessKeySecret: 'limited-secret' } }).getSecretValue({
        secretName: 'oss-ram-ak',
      }),
    );
    expect(denied).toMatchObject({ code: 'Forbidden.NoPermission', httpStatus: 403, retryable: false });
  });

  it.each([
    [{ kind: 'throttle' } as const, 'Rejected.Throttling', 429],
    [{ kind: 'unavailable' } as const, 'ServiceUnavailableTemporary', 503],
    [{ kind: 'internal' } as const, 'InternalFailure', 500],
  ])('maps the injected %o to a retryable %s', async (fault, code, httpStatus) => {
    kms.injectFault(fault);
    const error = await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(error).toMatchObject({ code, httpStatus, retryable: true });
    // The fault was one-shot: the next call works.
    await expect(source().getSecretValue({ secretName: 'oss-ram-ak' })).resolves.toHaveProperty('secretName', 'oss-ram-ak');
  });

  it("keeps a throttled answer's hints (x-acs-retry-after, x-ratelimit-user-api) as KmsError.throttleHints, and none when absent", async () => {
    kms.injectFault({ kind: 'throttle', headers: { ...throttleHintHeaders({ retryAfterMs: 1500 }), ...throttleHintHeaders({ scope: 'user-api', limit: 450, remain: 0, timeLeftMs: 300 }) } });
    const hinted = await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(hinted).toMatchObject({ code: 'Rejected.Throttling', httpStatus: 429, retryable: true });
    expect(hinted.throttleHints).toEqual({ retryAfterMs: 1500, limit: 450, remain: 0, timeLeftMs: 300, scope: 'user-api' });
    kms.injectFault({ kind: 'throttle' });
    const bare = await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(bare).toMatchObject({ code: 'Rejected.Throttling' });
    expect(bare.throttleHints).toBeUndefined();
    // Hints on another kind of error are not throttle hints.
    kms.injectFault({ kind: 'error', httpStatus: 404, code: 'Forbidden.ResourceNotFound', headers: throttleHintHeaders({ retryAfterMs: 1500 }) });
    expect((await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }))).throttleHints).toBeUndefined();
  });

  it('maps a garbage body and a dropped connection to retryable errors', async () => {
    kms.injectFault({ kind: 'garbage' });
    expect(await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }))).toMatchObject({
      code: 'Kms.InvalidResponse',
      retryable: true,
    });
    kms.injectFault({ kind: 'reset' });
    expect(await failure(source().getSecretValue({ secretName: 'oss-ram-ak' }))).toMatchObject({
      code: 'Kms.NetworkError',
      retryable: true,
    });
  });

  it('maps a refused connection to a retryable NetworkError', async () => {
    const down = await LocalKms.start({ store });
    const endpoint = down.endpoint;
    await down.close();
    const error = await failure(source({ endpoint }).getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(error).toMatchObject({ code: 'Kms.NetworkError', retryable: true });
  });

  it('times out after readTimeoutMs with a retryable Timeout', async () => {
    kms.injectFault({ kind: 'latency', delayMs: 10_000 });
    const error = await failure(source({ readTimeoutMs: 200 }).getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(error).toMatchObject({ code: 'Kms.Timeout', retryable: true });
  });

  it('rejects with the abort reason as soon as the signal aborts, and on close()', async () => {
    kms.injectFault({ kind: 'latency', delayMs: 10_000 }, 2);
    const controller = new AbortController();
    const slow = source();
    const call = slow.getSecretValue({ secretName: 'oss-ram-ak' }, { signal: controller.signal });
    await expect.poll(() => kms.callCount).toBe(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);

    const second = slow.getSecretValue({ secretName: 'oss-ram-ak' });
    await expect.poll(() => kms.callCount).toBe(2);
    slow.close();
    await expect(second).rejects.toMatchObject({ code: 'Kms.SourceClosed' });
    await expect(slow.getSecretValue({ secretName: 'oss-ram-ak' })).rejects.toMatchObject({ code: 'Kms.SourceClosed' });
  });

  it('destroys a request still unanswered at the deadline and rejects with FetchTimeout (virtual deadline)', async () => {
    await expect.poll(openSockets).toBe(0);
    kms.injectFault({ kind: 'latency', delayMs: 10_000 });
    const clock = new VirtualClock(Date.now());
    // The SDK's own read timeout (clipped to 4 s + slack, in real time) stays far away: only the deadline acts.
    const slow = source({ clock, readTimeoutMs: 60_000 });
    const call = failure(slow.getSecretValue({ secretName: 'oss-ram-ak' }, { timeoutMs: 4_000 }));
    await expect.poll(() => kms.callCount).toBe(1);
    expect(openSockets()).toBeGreaterThan(0);
    await clock.advance(3_999);
    expect(openSockets()).toBeGreaterThan(0);
    // The caller awaits it: the deadline holds the process open.
    expect(clock.keepAliveTimers).toBe(1);
    await clock.advance(1);
    const error = await call;
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, source: slow.description });
    expect(error.message).toBe(
      `GetSecretValue of "oss-ram-ak" did not succeed within 4000 ms: ${slow.description} had no answer by the deadline (request in flight for 4000 ms)`,
    );
    // The request's socket is gone long before the SDK's timeout or the emulator's 10 s would end it.
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('arms no timer that keeps the process alive for a background call (keepAlive: false)', async () => {
    kms.injectFault({ kind: 'latency', delayMs: 10_000 });
    const clock = new VirtualClock(Date.now());
    const call = failure(source({ clock, readTimeoutMs: 60_000 }).getSecretValue({ secretName: 'oss-ram-ak' }, { timeoutMs: 2_000, keepAlive: false }));
    await expect.poll(() => kms.callCount).toBe(1);
    await clock.advance(1_000);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.keepAliveTimers).toBe(0);
    await clock.advance(1_000);
    expect(await call).toMatchObject({ code: 'Kms.FetchTimeout' });
  });

  it('clips the SDK’s read timeout to the time left', async () => {
    kms.injectFault({ kind: 'latency', delayMs: 5_000 });
    const startedAt = Date.now();
    // A virtual clock that never moves: only the SDK's clipped timeout (real time) can end this call.
    const error = await failure(
      source({ clock: new VirtualClock(Date.now()), readTimeoutMs: 60_000 }).getSecretValue({ secretName: 'oss-ram-ak' }, { timeoutMs: 800 }),
    );
    expect(error).toMatchObject({ code: 'Kms.Timeout', retryable: true });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(790);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  it('answers normally within the budget, and refuses a negative timeoutMs', async () => {
    const info = await source().getSecretValue({ secretName: 'oss-ram-ak' }, { timeoutMs: 5_000 });
    expect(info.secretName).toBe('oss-ram-ak');
    await expect(source().getSecretValue({ secretName: 'oss-ram-ak' }, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'Kms.InvalidOptions' });
    expect(kms.callCount).toBe(1);
  });

  it('destroys the request when the caller aborts (no socket left)', async () => {
    await expect.poll(openSockets).toBe(0);
    kms.injectFault({ kind: 'latency', delayMs: 10_000 });
    const controller = new AbortController();
    const call = source().getSecretValue({ secretName: 'oss-ram-ak' }, { signal: controller.signal });
    await expect.poll(() => kms.callCount).toBe(1);
    controller.abort(new Error('caller gave up'));
    await expect(call).rejects.toThrow('caller gave up');
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
  });

  describe('an answer for another secret', () => {
    let server: ScriptedHttpServer;
    beforeAll(async () => {
      server = await ScriptedHttpServer.start();
      // Whatever is asked, this server answers with the secret "oss-ram-ak".
      server.answer = () => ({
        status: 200,
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: JSON.stringify({
          RequestId: 'R-1',
          SecretName: 'oss-ram-ak',
          SecretData: JSON.stringify({ AccessKeyId: RAM_SECRET.accessKeyId, AccessKeySecret: RAM_SECRET.accessKeySecret }),
          VersionId: 'v1',
          VersionStages: { VersionStage: ['ACSCurrent'] },
        }),
      });
    });
    afterAll(async () => {
      await server.stop();
    });

    it('is refused with a non-retryable InvalidResponse naming both secrets', async () => {
      const s = source({ endpoint: `http://${server.hostPort}` });
      const error = await failure(s.getSecretValue({ secretName: 'payments-ak' }));
      expect(error).toMatchObject({ code: 'Kms.InvalidResponse', retryable: false, source: s.description });
      expect(error.message).toContain('"payments-ak"');
      expect(error.message).toContain('"oss-ram-ak"');
      expect(error.message).not.toContain(RAM_SECRET.accessKeySecret);
    });

    it('is accepted when the request named the secret by its ARN', async () => {
      const s = source({ endpoint: `http://${server.hostPort}` });
      const info = await s.getSecretValue({ secretName: 'acs:kms:cn-hangzhou:1234567890123456:secret/oss-ram-ak' });
      expect(info.secretName).toBe('oss-ram-ak');
      await expect(s.getSecretValue({ secretName: 'acs:kms:cn-hangzhou:1234567890123456:secret/payments-ak' })).rejects.toMatchObject({
        code: 'Kms.InvalidResponse',
        retryable: false,
      });
    });
  });

  it('signs with STS credentials from the default chain (environment) and sends the token', async () => {
    kms.addPrincipal({ accessKeyId: 'STS.temp-id', accessKeySecret: 'temp-secret', securityToken: 'token-abc' });
    const saved = { ...process.env };
    try {
      process.env['ALIBABA_CLOUD_ACCESS_KEY_ID'] = 'STS.temp-id';
      process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = 'temp-secret';
      process.env['ALIBABA_CLOUD_SECURITY_TOKEN'] = 'token-abc';
      const info = await source({ credentials: { type: 'default' } }).getSecretValue({ secretName: 'oss-ram-ak' });
      expect(info.secretName).toBe('oss-ram-ak');
      expect(kms.requests[0]).toMatchObject({ accessKeyId: 'STS.temp-id', hasSecurityToken: true, httpStatus: 200 });

      process.env['ALIBABA_CLOUD_SECURITY_TOKEN'] = 'token-stolen';
      const error = await failure(source({ credentials: { type: 'default' } }).getSecretValue({ secretName: 'oss-ram-ak' }));
      expect(error).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey', retryable: false });
      expect(error.message).not.toContain('token-stolen');
    } finally {
      process.env = saved;
    }
  });

  it('reports a default chain that finds nothing as a retryable CredentialsUnavailable', async () => {
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) if (key.startsWith('ALIBABA_CLOUD_')) delete process.env[key];
      process.env['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true';
      process.env['ALIBABA_CLOUD_PROFILE'] = 'none';
      process.env['HOME'] = tmp;
      const error = await failure(source({ credentials: { type: 'default' } }).getSecretValue({ secretName: 'oss-ram-ak' }));
      expect(error).toMatchObject({ code: 'Kms.CredentialsUnavailable', retryable: true });
      expect(kms.callCount).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it('asks the ECS metadata service for ecs_ram_role credentials (unreachable here: retryable CredentialsUnavailable)', async () => {
    const error = await failure(
      source({ credentials: { type: 'ecs_ram_role', roleName: 'kms-reader' }, connectTimeoutMs: 300, readTimeoutMs: 300 }).getSecretValue({
        secretName: 'oss-ram-ak',
      }),
    );
    expect(error).toMatchObject({ code: 'Kms.CredentialsUnavailable', retryable: true });
    expect(error.message).toContain('ecs_ram_role');
    expect(kms.callCount).toBe(0);
  });
});

describe('OpenApiSecretSource over HTTPS', () => {
  let tlsKms: LocalKms;
  beforeAll(async () => {
    tlsKms = await LocalKms.start({ store, tls: { certPem: pki.leafChainPem, keyPem: pki.leafKeyPem } });
    tlsKms.addPrincipal(AK);
  });
  afterAll(() => tlsKms.close());

  it('trusts the CA from caFilePath (root + second CA, as downloaded for an instance gateway)', async () => {
    const caFilePath = join(tmp, 'PrivateKmsCA_test.pem');
    writeFileSync(caFilePath, pki.caBundlePem);
    const info = await source({ endpoint: tlsKms.host, caFilePath }).getSecretValue({ secretName: 'oss-ram-ak' });
    expect(info.secretName).toBe('oss-ram-ak');
  });

  it('verifies the certificate: no CA, or another CA, is a final TlsVerificationFailed', async () => {
    tlsKms.resetLog();
    const noCa = await failure(source({ endpoint: tlsKms.endpoint }).getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(noCa).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
    expect(noCa.message).toContain('caFilePath');
    const other = createTestPki({ keyLabel: 'other-pki', caName: 'Other' });
    const wrongCa = await failure(source({ endpoint: tlsKms.endpoint, ca: other.caBundlePem }).getSecretValue({ secretName: 'oss-ram-ak' }));
    expect(wrongCa).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
    expect(tlsKms.callCount).toBe(0);
  });

  it('checks the host name against the certificate', async () => {
    const ipless = createTestPki({ leaf: { dnsNames: ['kst-test.cryptoservice.kms.aliyuncs.com'], ipAddresses: [] } });
    const wrongName = await LocalKms.start({ store, tls: { certPem: ipless.leafChainPem, keyPem: ipless.leafKeyPem } });
    try {
      const error = await failure(source({ endpoint: wrongName.host, ca: ipless.caBundlePem }).getSecretValue({ secretName: 'oss-ram-ak' }));
      expect(error).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
    } finally {
      await wrongName.close();
    }
  });
});

describe('OpenApiSecretSource configuration', () => {
  it('derives the shared gateway endpoints from the region', () => {
    const shared = new OpenApiSecretSource({ regionId: 'cn-shanghai', credentials: akConfig });
    const vpc = new OpenApiSecretSource({ regionId: 'cn-shanghai', vpc: true, credentials: akConfig });
    const instance = new OpenApiSecretSource({
      regionId: 'cn-shanghai',
      endpoint: 'https://kst-sh1.cryptoservice.kms.aliyuncs.com',
      credentials: akConfig,
    });
    expect([shared.endpoint, vpc.endpoint, instance.endpoint]).toEqual([
      { host: 'kms.cn-shanghai.aliyuncs.com', protocol: 'https' },
      { host: 'kms-vpc.cn-shanghai.aliyuncs.com', protocol: 'https' },
      { host: 'kst-sh1.cryptoservice.kms.aliyuncs.com', protocol: 'https' },
    ]);
    expect(instance.description).toBe('openapi(kst-sh1.cryptoservice.kms.aliyuncs.com)');
  });

  it.each([
    [{ endpoint: 'http://kms.cn-hangzhou.aliyuncs.com' }, 'ConfigError.InsecureEndpoint', 'endpoint', 'kms.cn-hangzhou.aliyuncs.com'],
    [{ endpoint: 'https://kms.example.com/some/path' }, 'ConfigError.InvalidValue', 'endpoint', 'kms.example.com'],
    [{ endpoint: 'ftp://kms.example.com' }, 'ConfigError.InvalidValue', 'endpoint', 'ftp://kms.example.com'],
    [{ regionId: 'cn hangzhou' }, 'ConfigError.InvalidValue', 'regionId', 'cn hangzhou'],
    [{ caFilePath: '/nonexistent/ca.pem' }, 'ConfigError.UnreadableFile', 'caFilePath', '/nonexistent/ca.pem'],
    [{ ca: 'not a certificate' }, 'ConfigError.InvalidValue', 'ca', 'ca'],
    [{ readTimeoutMs: 0 }, 'ConfigError.InvalidValue', 'readTimeoutMs', 'readTimeoutMs'],
  ])('rejects %o with %s naming field %s', (override, code, field, named) => {
    expect(() => new OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: akConfig, ...override })).toThrow(
      expect.objectContaining({ name: 'ConfigError', code, field, message: expect.stringContaining(named) }),
    );
  });

  it('rejects incomplete RAM credentials, naming the missing keys but not the secret', () => {
    const make = (credentials: RamCredentialsConfig) => () => new OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials });
    expect(make({ type: 'ak', accessKeyId: 'LTAI-x', accessKeySecret: '' })).toThrow(/credentials_access_secret/);
    const missingRole = make({ type: 'ram_role', accessKeyId: 'LTAI-x', accessKeySecret: 'hidden-1', roleArn: '', roleSessionName: 's' });
    expect(missingRole).toThrow(expect.objectContaining({ code: 'ConfigError.InvalidCredentials', key: 'credentials_role_arn', message: expect.stringContaining('credentials_role_arn') }));
    expect(missingRole).not.toThrow(/hidden-1/);
  });

  it('explains that client_key credentials belong to a KMS instance (DKMS)', () => {
    const build = () =>
      new OpenApiSecretSource({
        regionId: 'cn-hangzhou',
        credentials: { type: 'client_key', privateKeyPath: '/keys/clientKey.json', password: 'pw-secret' },
      });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(expect.objectContaining({ code: 'ConfigError.IncompatibleKeys', key: 'credentials_type', message: expect.stringContaining('cache_client_dkms_config_info') }));
  });
});
