import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Socket as NetSocket } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readClientKeyFile, readClientKeyPasswordFile, clientKeyFromPem } from '../../../src/kms/dkms/client-key-loader.js';
import { DkmsSecretSource, type DkmsSourceOptions } from '../../../src/kms/dkms/dkms-secret-source.js';
import { KmsError } from '../../../src/kms/kms-error.js';
import { systemClock, type Clock } from '../../../src/runtime/clock.js';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import { LocalDkms } from '../../../src/testing/dkms/local-dkms.js';
import { throttleHintHeaders } from '../../../src/testing/throttle-hint-headers.js';
import { createTestClientKey, createTestPki } from '../../../src/testing/pki/index.js';
import { ScriptedHttpServer } from '../../support/scripted-http-server.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { fixturePath, fixtureText, vectors } from './fixtures.js';

const WEEK_MS = 7 * 24 * 3600 * 1000;
const SECRET = 'oss-ram-ak';
const ACCESS_KEY_SECRET = 'very-secret-access-key-secret';

let dkms: LocalDkms;
const sources: DkmsSecretSource[] = [];

function source(overrides: Partial<DkmsSourceOptions> = {}): DkmsSecretSource {
  const created = new DkmsSecretSource({
    endpoint: dkms.endpoint,
    clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
    ca: dkms.caBundlePem,
    ...overrides,
  });
  sources.push(created);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<KmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KmsError);
  const kmsError = error as KmsError;
  expect(kmsError.message).not.toContain(ACCESS_KEY_SECRET);
  expect(inspect(kmsError)).not.toContain(ACCESS_KEY_SECRET);
  return kmsError;
}

beforeAll(async () => {
  dkms = await LocalDkms.start({ extraClientKeys: [{ keyId: vectors.keyId, publicKey: fixtureText('test-client-cert.pem') }] });
});

afterEach(() => {
  dkms.clearFaults();
  dkms.requests.length = 0;
  for (const s of sources.splice(0)) s.close();
  dkms.setRamCredential(SECRET, { accessKeyId: 'LTAI-first', accessKeySecret: ACCESS_KEY_SECRET, rotationIntervalMs: WEEK_MS, userName: 'oss' });
});

afterAll(async () => {
  await dkms.close();
});

describe('DkmsSecretSource against LocalDkms', () => {
  it('reads a managed RAM credential with normalized rotation fields over verified TLS', async () => {
    const created = dkms.setRamCredential(SECRET, {
      accessKeyId: 'LTAI-first',
      accessKeySecret: ACCESS_KEY_SECRET,
      rotationIntervalMs: WEEK_MS,
      userName: 'oss',
    });
    const info = await source({ regionId: 'cn-hangzhou' }).getSecretValue({ secretName: SECRET });
    expect(info.secretName).toBe(SECRET);
    expect(info.secretType).toBe('RAMCredentials');
    expect(JSON.parse(info.secretData)).toMatchObject({ AccessKeyId: 'LTAI-first', AccessKeySecret: ACCESS_KEY_SECRET });
    expect(info.extendedConfig).toEqual({ SecretSubType: 'RamUserAccessKey', UserName: 'oss' });
    expect(info.automaticRotation).toBe('Enabled');
    expect(info.rotationIntervalMs).toBe(WEEK_MS);
    expect(info.versionId).toBe(created.versionId);
    expect(info.versionStages).toEqual(['ACSCurrent']);
    // The wire format has second precision.
    expect(info.nextRotationDateMs).toBe(Math.floor(created.nextRotationDateMs! / 1000) * 1000);
    expect(info.createTimeMs).toBe(Math.floor(created.createTimeMs / 1000) * 1000);
    expect(info.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(dkms.requests[0]).toMatchObject({ apiName: 'GetSecretValue', secretName: SECRET, fetchExtendedConfig: true });
    expect(inspect(info)).not.toContain(ACCESS_KEY_SECRET);
  });

  it('leaves ExtendedConfig out only when asked, and follows a rotation (and ACSPrevious)', async () => {
    const s = source({ endpoint: `https://${dkms.endpoint}` });
    const without = await s.getSecretValue({ secretName: SECRET, fetchExtendedConfig: false });
    expect(without.extendedConfig).toBeUndefined();
    expect(dkms.requests[0]?.fetchExtendedConfig).toBe(false);
    const before = await s.getSecretValue({ secretName: SECRET });
    dkms.rotate(SECRET, { accessKeyId: 'LTAI-second', accessKeySecret: 'second-secret' });
    const after = await s.getSecretValue({ secretName: SECRET });
    expect(JSON.parse(after.secretData).AccessKeyId).toBe('LTAI-second');
    expect(after.versionId).not.toBe(before.versionId);
    const previous = await s.getSecretValue({ secretName: SECRET, versionStage: 'ACSPrevious' });
    expect(previous.versionId).toBe(before.versionId);
    expect(dkms.getSecretValueCount(SECRET)).toBe(4);
  });

  describe('service errors are typed and not retried', () => {
    it('missing secret: Forbidden.ResourceNotFound (404)', async () => {
      const error = await rejection(source().getSecretValue({ secretName: 'nope' }));
      expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false });
      expect(error.requestId).toBeDefined();
      expect(error.source).toBe(`dkms(${dkms.endpoint})`);
      expect(dkms.getSecretValueCount('nope')).toBe(1);
    });

    it('unknown KeyId: Unauthorized (404)', async () => {
      const key = clientKeyFromPem('KAAP.unknown', dkms.clientKey.privateKeyPem);
      const error = await rejection(source({ clientKey: key }).getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Unauthorized', httpStatus: 404, retryable: false });
      expect(dkms.requests).toHaveLength(1);
    });

    it('wrong private key: SignatureNotMatch (401)', async () => {
      const other = createTestClientKey({ keyLabel: 'intruder' });
      const key = clientKeyFromPem(dkms.clientKey.keyId, other.privateKeyPem);
      const error = await rejection(source({ clientKey: key }).getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'SignatureNotMatch', httpStatus: 401, retryable: false });
      expect(dkms.requests).toHaveLength(1);
    });

    it('denied secret: Forbidden.NoPermission (403)', async () => {
      dkms.setAccessDenied(SECRET);
      try {
        const error = await rejection(source().getSecretValue({ secretName: SECRET }));
        expect(error).toMatchObject({ code: 'Forbidden.NoPermission', httpStatus: 403, retryable: false });
      } finally {
        dkms.setAccessDenied(SECRET, false);
      }
    });

    it('clock skew beyond 15 minutes: RequestTimeTooSkewed', async () => {
      const skewed: Clock = { ...systemClock, now: () => Date.now() - 20 * 60 * 1000 };
      const error = await rejection(source({ clock: skewed }).getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'RequestTimeTooSkewed', httpStatus: 400, retryable: false });
      expect(dkms.requests).toHaveLength(1);
    });
  });

  describe('one request per call: retryable failures are reported, not retried (the failover group retries)', () => {
    it('a 503 rejects with a retryable ServiceUnavailableTemporary after one request; the next call is signed anew', async () => {
      dkms.injectFault({ kind: 'serviceUnavailable' });
      const s = source();
      const error = await rejection(s.getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true });
      expect(dkms.requests.map((r) => r.httpStatus)).toEqual([503]);
      const info = await s.getSecretValue({ secretName: SECRET });
      expect(info.secretName).toBe(SECRET);
      expect(dkms.requests.map((r) => r.httpStatus)).toEqual([503, 200]);
    });

    it('throttling rejects with a retryable Rejected.Throttling after one request', async () => {
      dkms.injectFault({ kind: 'throttling' }, { times: Infinity });
      const error = await rejection(source().getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Rejected.Throttling', retryable: true });
      expect(dkms.getSecretValueCount(SECRET)).toBe(1);
    });

    it("a throttled answer's x-ratelimit-user hints become KmsError.throttleHints", async () => {
      dkms.injectFault({ kind: 'throttling', headers: throttleHintHeaders({ limit: 1000, remain: 0, timeLeftMs: 2000 }) });
      const error = await rejection(source().getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Rejected.Throttling', retryable: true, throttleHints: { limit: 1000, remain: 0, timeLeftMs: 2000, scope: 'user' } });
    });

    it('InternalFailure, a reset connection and a refused connection each fail one call as retryable', async () => {
      dkms.injectFault({ kind: 'internalFailure' });
      dkms.injectFault({ kind: 'connectionReset' });
      dkms.injectFault({ kind: 'refuseConnections' });
      const s = source();
      const codes: string[] = [];
      for (let call = 0; call < 3; call++) {
        const error = await rejection(s.getSecretValue({ secretName: SECRET }));
        expect(error.retryable).toBe(true);
        codes.push(error.code);
      }
      expect(codes).toEqual(['InternalFailure', 'Kms.NetworkError', 'Kms.NetworkError']);
      const info = await s.getSecretValue({ secretName: SECRET });
      expect(info.secretName).toBe(SECRET);
      // The refused connection never reached the request log.
      expect(dkms.requests.map((r) => r.fault)).toEqual(['internalFailure', 'connectionReset', undefined]);
    });

    it('maps a non-protobuf 502 page to a retryable HTTP error without dumping the body', async () => {
      dkms.injectFault({ kind: 'nonProtobufBody', body: '<html>proxy says AccessKeySecret=leak</html>' }, { times: Infinity });
      const error = await rejection(source().getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Kms.HttpError', httpStatus: 502, retryable: true });
      expect(error.message).toContain('text/html');
      expect(error.message).not.toContain('leak');
      expect(dkms.requests).toHaveLength(1);
    });

    it('marks a non-protobuf 4xx page as not retryable', async () => {
      dkms.injectFault({ kind: 'nonProtobufBody', httpStatus: 413, body: 'too big' });
      const error = await rejection(source().getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Kms.HttpError', httpStatus: 413, retryable: false });
      expect(dkms.requests).toHaveLength(1);
    });
  });

  describe('timeouts, abort, limits', () => {
    it('times out a request that exceeds readTimeoutMs (virtual time) as a retryable ReadTimeout', async () => {
      const clock = new VirtualClock(Date.now());
      dkms.injectFault({ kind: 'latency', delayMs: Infinity });
      const pending = source({ clock, readTimeoutMs: 1000 }).getSecretValue({ secretName: SECRET });
      const outcome = rejection(pending);
      await dkms.nextRequest();
      await clock.advance(1000);
      const error = await outcome;
      expect(error).toMatchObject({ code: 'Kms.ReadTimeout', retryable: true });
    });

    it('times out a TLS handshake that never completes (virtual time) as a retryable ConnectTimeout', async () => {
      // A TCP peer that accepts the connection and then says nothing: the ClientHello is never answered.
      const silent = createServer();
      const accepted = new Promise<NetSocket>((resolve) => silent.once('connection', resolve));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const clock = new VirtualClock(Date.now());
        const pending = source({
          endpoint: `127.0.0.1:${(silent.address() as AddressInfo).port}`,
          clock,
          connectTimeoutMs: 500,
          readTimeoutMs: 60_000,
        }).getSecretValue({ secretName: SECRET });
        const outcome = rejection(pending);
        const socket = await accepted;
        socket.resume(); // read (and drop) the ClientHello, so the client's close is seen
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        await clock.advance(499);
        expect(socket.destroyed).toBe(false); // still waiting: not timed out early
        await clock.advance(1);
        const error = await outcome;
        expect(error).toMatchObject({ code: 'Kms.ConnectTimeout', retryable: true });
        await closed; // the half-open connection was torn down, nothing lingers
      } finally {
        silent.close();
      }
    });

    it('rejects promptly with the abort reason while a request is in flight', async () => {
      dkms.injectFault({ kind: 'latency', delayMs: Infinity });
      const controller = new AbortController();
      const pending = source().getSecretValue({ secretName: SECRET }, { signal: controller.signal });
      await dkms.nextRequest();
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('rejects with the reason of an already aborted signal and sends nothing', async () => {
      const controller = new AbortController();
      const reason = new Error('shutting down');
      controller.abort(reason);
      await expect(source().getSecretValue({ secretName: SECRET }, { signal: controller.signal })).rejects.toBe(reason);
      expect(dkms.requests).toHaveLength(0);
    });

    it('keeps the process alive while a caller awaits the budget, and not with keepAlive: false (virtual time)', async () => {
      for (const keepAlive of [undefined, false]) {
        const clock = new VirtualClock(Date.now());
        dkms.injectFault({ kind: 'latency', delayMs: Infinity });
        const held = dkms.nextRequest();
        const outcome = rejection(
          source({ clock, readTimeoutMs: 10_000 }).getSecretValue({ secretName: SECRET }, { timeoutMs: 2_000, ...(keepAlive === undefined ? {} : { keepAlive }) }),
        );
        await held;
        await clock.advance(1_000);
        expect(clock.keepAliveTimers, `keepAlive ${keepAlive}`).toBe(keepAlive === false ? 0 : 1);
        await clock.advance(1_000);
        expect(await outcome).toMatchObject({ code: 'Kms.FetchTimeout' });
        expect(clock.pendingTimers).toBe(0);
      }
    });

    it('refuses a response larger than maxResponseBytes without retrying', async () => {
      dkms.setSecret('big', { secretData: 'x'.repeat(16 * 1024) });
      const error = await rejection(source({ maxResponseBytes: 4096 }).getSecretValue({ secretName: 'big' }));
      expect(error).toMatchObject({ code: 'Kms.ResponseTooLarge', retryable: false });
      expect(dkms.requests).toHaveLength(1);
    });

    it('rejects calls after close()', async () => {
      const s = source();
      s.close();
      s.close();
      await expect(s.getSecretValue({ secretName: SECRET })).rejects.toMatchObject({ code: 'Kms.SourceClosed' });
    });
  });

  describe('timeoutMs: one budget for the whole call', () => {
    it('destroys a request still unanswered at the deadline and rejects with FetchTimeout (virtual time)', async () => {
      const clock = new VirtualClock(Date.now());
      dkms.injectFault({ kind: 'latency', delayMs: Infinity });
      const s = source({ clock, readTimeoutMs: 10_000 });
      const held = dkms.nextRequest();
      const outcome = rejection(s.getSecretValue({ secretName: SECRET }, { timeoutMs: 1_500 }));
      await held;
      await clock.advance(1_499);
      expect(dkms.requests).toHaveLength(1);
      await clock.advance(1);
      const error = await outcome;
      expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, source: s.description });
      expect(error.message).toBe(
        `GetSecretValue of "${SECRET}" did not succeed within 1500 ms: dkms(${dkms.endpoint}) had no answer by the deadline (request in flight for 1500 ms)`,
      );
      // Nothing failed before the deadline: no KMS-side reason to give.
      expect(error.cause).toBeUndefined();
      expect(clock.pendingTimers).toBe(0);
      // Nothing is sent after the deadline.
      await clock.advance(60_000);
      expect(dkms.requests).toHaveLength(1);
    });

    it('rejects with the answer itself, not a FetchTimeout, when the one request fails within the budget', async () => {
      dkms.injectFault({ kind: 'serviceUnavailable' }, { times: Infinity });
      const error = await rejection(source().getSecretValue({ secretName: SECRET }, { timeoutMs: 60_000 }));
      expect(error).toMatchObject({ code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true });
      expect(dkms.requests).toHaveLength(1);
    });

    it('answers normally within the budget', async () => {
      const info = await source().getSecretValue({ secretName: SECRET }, { timeoutMs: 5_000 });
      expect(info.secretName).toBe(SECRET);
    });

    it('refuses a negative timeoutMs', async () => {
      await expect(source().getSecretValue({ secretName: SECRET }, { timeoutMs: -5 })).rejects.toMatchObject({ code: 'Kms.InvalidOptions' });
      expect(dkms.requests).toHaveLength(0);
    });
  });

  describe('an answer for another secret', () => {
    let server: ScriptedHttpServer;
    beforeAll(async () => {
      server = await ScriptedHttpServer.start(dkms.pki);
      // Whatever is asked, this server answers with the secret "oss-ram-ak".
      server.answer = () => ({
        status: 200,
        headers: { 'content-type': 'application/x-protobuf' },
        body: dkmsMessages.encodeGetSecretValueResponse({
          SecretName: SECRET,
          SecretData: JSON.stringify({ AccessKeyId: 'LTAI-other', AccessKeySecret: ACCESS_KEY_SECRET }),
          VersionId: 'v1',
          VersionStages: ['ACSCurrent'],
          RequestId: 'r-1',
        }),
      });
    });
    afterAll(async () => {
      await server.stop();
    });

    it('is refused with a non-retryable InvalidResponse naming both secrets, and not retried', async () => {
      const error = await rejection(source({ endpoint: server.hostPort }).getSecretValue({ secretName: 'payments-ak' }));
      expect(error).toMatchObject({ code: 'Kms.InvalidResponse', retryable: false, source: `dkms(${server.hostPort})` });
      expect(error.message).toContain('"payments-ak"');
      expect(error.message).toContain(`"${SECRET}"`);
      expect(server.requestCount).toBe(1);
    });

    it('is accepted when the request named the secret by its ARN', async () => {
      const before = server.requestCount;
      const s = source({ endpoint: server.hostPort });
      const info = await s.getSecretValue({ secretName: `acs:kms:cn-hangzhou:1234567890123456:secret/${SECRET}` });
      expect(info.secretName).toBe(SECRET);
      const error = await rejection(s.getSecretValue({ secretName: 'acs:kms:cn-hangzhou:1234567890123456:secret/payments-ak' }));
      expect(error).toMatchObject({ code: 'Kms.InvalidResponse', retryable: false });
      expect(server.requestCount).toBe(before + 2);
    });
  });

  describe('TLS', () => {
    it('fails with a TlsError against a CA bundle of another PKI', async () => {
      const other = createTestPki({ keyLabel: 'other-pki' });
      const error = await rejection(source({ ca: other.caBundlePem }).getSecretValue({ secretName: SECRET }));
      expect(error).toMatchObject({ code: 'Kms.TlsVerificationFailed', retryable: false });
      expect(dkms.requests).toHaveLength(0);
    });

    it('explains that an intermediate-only CA bundle needs the root', async () => {
      const error = await rejection(source({ ca: dkms.pki.intermediateCertPem }).getSecretValue({ secretName: SECRET }));
      expect(error.code).toBe('Kms.TlsVerificationFailed');
      expect(error.message).toContain('UNABLE_TO_GET_ISSUER_CERT');
      expect(error.message).toMatch(/only intermediate.*Root CA/s);
    });

    it('says that no CA is configured when none is given', async () => {
      const error = await rejection(source({ ca: undefined }).getSecretValue({ secretName: SECRET }));
      expect(error.code).toBe('Kms.TlsVerificationFailed');
      expect(error.message).toContain('No CA bundle is configured');
    });

    it('connects with ignoreSslCerts and warns exactly once', async () => {
      const warnings: string[] = [];
      const s = source({ ca: undefined, ignoreSslCerts: true, onWarning: (m) => warnings.push(m) });
      await s.getSecretValue({ secretName: SECRET });
      await s.getSecretValue({ secretName: SECRET });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/ignoreSslCerts.*verification are OFF/);
    });
  });

  describe('configuration from files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dkms-files-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('works end to end with the ClientKey file, password file and CA file the emulator writes', async () => {
      const files = await dkms.writeClientFiles(dir);
      const clientKey = await readClientKeyFile(files.clientKeyFile, await readClientKeyPasswordFile(files.passwordFile));
      const info = await source({ clientKey, ca: undefined, caFilePath: files.caFile }).getSecretValue({ secretName: SECRET });
      expect(info.secretName).toBe(SECRET);
    });

    it('signs with the legacy PKCS#12 vector ClientKey', async () => {
      const password = await readClientKeyPasswordFile(fixturePath(vectors.passwordFile));
      const clientKey = await readClientKeyFile(fixturePath(vectors.clientKeyFile), password);
      const info = await source({ clientKey }).getSecretValue({ secretName: SECRET });
      expect(info.secretName).toBe(SECRET);
      expect(dkms.requests[0]?.keyId).toBe(vectors.keyId);
    });

    it('rejects bad options with Kms.InvalidOptions naming the value', () => {
      expect(() => source({ ca: undefined, caFilePath: join(dir, 'missing.pem') })).toThrow(/missing\.pem/);
      expect(() => source({ ca: 'not a pem' })).toThrow(/no PEM certificate/);
      expect(() => source({ endpoint: 'http://kms.example' })).toThrow(/host\[:port\]/);
      expect(() => source({ endpoint: 'kms.example/path' })).toThrow(/host\[:port\]/);
      expect(() => source({ readTimeoutMs: -1 })).toThrow(/readTimeoutMs/);
    });
  });
});
