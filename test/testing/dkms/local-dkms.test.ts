import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFromPem } from '../../../src/kms/dkms/client-key-loader.js';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import { signDkmsRequest } from '../../../src/kms/dkms/dkms-signer.js';
import { LocalDkms } from '../../../src/testing/dkms/local-dkms.js';
import { createTestPki } from '../../../src/testing/pki/index.js';
import type { Clock } from '../../../src/runtime/clock.js';
import { fixtureText, vectors } from '../../kms/dkms/fixtures.js';

interface RawAnswer {
  status: number;
  contentType?: string;
  body: Buffer;
}

function post(dkms: LocalDkms, headers: Record<string, string>, body: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', servername: 'localhost', port: dkms.port, method: 'POST', path: '/', headers, ca: dkms.caBundlePem, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ...(response.headers['content-type'] ? { contentType: response.headers['content-type'] } : {}),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function errorOf(answer: RawAnswer) {
  expect(answer.contentType).toBe('application/x-protobuf');
  return dkmsMessages.decodeError(answer.body);
}

describe('LocalDkms', () => {
  const vectorDate = Date.parse(vectors.requests[0]!.headers['date']!);
  let now = vectorDate;
  const clock: Clock = { now: () => now, monotonicNow: () => performance.now(), setTimeout: (cb, ms) => setTimeout(cb, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  let dkms: LocalDkms;

  function signedRequest(overrides: Record<string, string | undefined> = {}, body = dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'test/ram-secret', FetchExtendedConfig: true })) {
    const signed = signDkmsRequest({
      method: 'POST',
      body,
      date: new Date(now),
      privateKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem).privateKey,
      headers: {
        'x-kms-apiversion': 'dkms-gcs-0.2',
        'x-kms-apiname': 'GetSecretValue',
        'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
        'x-kms-acccesskeyid': dkms.clientKey.keyId,
        'content-type': 'application/x-protobuf',
      },
    }).headers;
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete signed[name];
      else signed[name] = value;
    }
    return { headers: signed, body };
  }

  beforeAll(async () => {
    dkms = await LocalDkms.start({ clock, extraClientKeys: [{ keyId: vectors.keyId, publicKey: fixtureText('test-client-cert.pem') }] });
    dkms.setRamCredential('test/ram-secret', { accessKeyId: 'LTAI-vector', accessKeySecret: 'vector-secret', rotationIntervalMs: 604_800_000 });
  });
  afterAll(async () => {
    await dkms.close();
  });

  it('accepts the exact vector requests (signed by the vector key at the vector date)', async () => {
    now = vectorDate;
    for (const vector of vectors.requests.slice(0, 2)) {
      const answer = await post(dkms, vector.headers, Buffer.from(vector.bodyHex, 'hex'));
      expect(answer.status).toBe(200);
      const response = dkmsMessages.decodeGetSecretValueResponse(answer.body);
      expect(response).toMatchObject({ SecretName: 'test/ram-secret', SecretType: 'RAMCredentials', RotationInterval: '604800s' });
      expect(response.ExtendedConfig !== '').toBe(vector.request.FetchExtendedConfig === true);
    }
    expect(dkms.requests.at(-1)).toMatchObject({ keyId: vectors.keyId, secretName: 'test/ram-secret', httpStatus: 200 });
  });

  it('answers each failed check with the documented code and status', async () => {
    now = Date.now();
    const cases: Array<[Record<string, string | undefined>, number, string, RegExp?]> = [
      [{ 'content-type': 'application/json' }, 415, 'InvalidContentType', /application\/json/],
      [{ 'x-kms-apiversion': 'dkms-gcs-0.1' }, 400, 'InvalidApiVersion'],
      [{ 'x-kms-apiname': 'Encrypt' }, 400, 'InvalidApiName'],
      [{ 'x-kms-signaturemethod': 'HMAC' }, 400, 'InvalidParam', /x-kms-signaturemethod/],
      [{ date: '2026-01-01T00:00:00Z' }, 400, 'InvalidParam', /Date/],
      [{ date: new Date(now - 16 * 60_000).toUTCString() }, 400, 'RequestTimeTooSkewed'],
      [{ 'content-sha256': 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855' }, 400, 'InvalidParam', /Content-SHA256/],
      [{ 'x-kms-acccesskeyid': undefined }, 400, 'MissingParameter'],
      [{ 'x-kms-acccesskeyid': 'KAAP.unknown' }, 404, 'Unauthorized', /KAAP\.unknown/],
      [{ authorization: 'Basic abc' }, 400, 'InvalidParam', /Authorization/],
      [{ authorization: `Bearer ${Buffer.alloc(256, 1).toString('base64')}` }, 401, 'SignatureNotMatch'],
    ];
    for (const [overrides, status, code, message] of cases) {
      const { headers, body } = signedRequest(overrides);
      const answer = await post(dkms, headers, body);
      expect([overrides, answer.status]).toEqual([overrides, status]);
      const error = errorOf(answer);
      expect(error.ErrorCode).toBe(code);
      expect(error.StatusCode).toBe(status);
      if (message) expect(error.ErrorMessage).toMatch(message);
    }
  });

  it('checks the body, the secret and the stage/version pair', async () => {
    now = Date.now();
    const undecodable = signedRequest({}, Buffer.from('ff', 'hex'));
    expect(errorOf(await post(dkms, undecodable.headers, undecodable.body)).ErrorCode).toBe('InvalidParameter');
    const missing = signedRequest({}, dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'nope' }));
    const missingAnswer = await post(dkms, missing.headers, missing.body);
    expect([missingAnswer.status, errorOf(missingAnswer).ErrorCode]).toEqual([404, 'Forbidden.ResourceNotFound']);
    const first = dkms.store.getVersion('test/ram-secret')!;
    dkms.rotate('test/ram-secret', { accessKeyId: 'LTAI-2', accessKeySecret: 's2' });
    const mismatch = signedRequest(
      {},
      dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'test/ram-secret', VersionStage: 'ACSCurrent', VersionId: first.versionId }),
    );
    expect(errorOf(await post(dkms, mismatch.headers, mismatch.body)).ErrorCode).toBe('InvalidParameter');
    const byId = signedRequest({}, dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'test/ram-secret', VersionId: first.versionId }));
    const byIdAnswer = await post(dkms, byId.headers, byId.body);
    expect(dkmsMessages.decodeGetSecretValueResponse(byIdAnswer.body)).toMatchObject({
      VersionId: first.versionId,
      VersionStages: ['ACSPrevious'],
    });
  });

  it('plays queued faults in order, for the requested number of requests', async () => {
    now = Date.now();
    dkms.injectFault({ kind: 'error', httpStatus: 409, errorCode: 'Rejected.Disabled' }, { times: 2 });
    dkms.injectFault({ kind: 'nonProtobufBody' });
    const statuses: Array<[number, string]> = [];
    for (let i = 0; i < 4; i++) {
      const { headers, body } = signedRequest();
      const answer = await post(dkms, headers, body);
      statuses.push([answer.status, answer.status === 502 ? String(answer.contentType) : answer.status === 200 ? 'ok' : errorOf(answer).ErrorCode]);
    }
    expect(statuses).toEqual([[409, 'Rejected.Disabled'], [409, 'Rejected.Disabled'], [502, 'text/html'], [200, 'ok']]);
  });

  it('refuses connections before the TLS handshake while the fault lasts, and resets connections', async () => {
    now = Date.now();
    dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity });
    const handshake = () =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: dkms.port, ca: dkms.caBundlePem });
        socket.on('secureConnect', () => {
          socket.destroy();
          resolve('ok');
        });
        socket.on('error', () => resolve('refused'));
      });
    expect(await handshake()).toBe('refused');
    expect(await handshake()).toBe('refused');
    dkms.clearFaults();
    expect(await handshake()).toBe('ok');
    dkms.injectFault({ kind: 'connectionReset' });
    const { headers, body } = signedRequest();
    await expect(post(dkms, headers, body)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('counts GetSecretValue calls per secret and writes console-style client files', async () => {
    const before = dkms.getSecretValueCount('test/ram-secret');
    now = Date.now();
    const { headers, body } = signedRequest();
    await post(dkms, headers, body);
    expect(dkms.getSecretValueCount('test/ram-secret')).toBe(before + 1);
    expect(dkms.getSecretValueCount()).toBeGreaterThan(dkms.getSecretValueCount('test/ram-secret'));

    const dir = await mkdtemp(join(tmpdir(), 'local-dkms-'));
    try {
      const files = await dkms.writeClientFiles(dir);
      expect(files.clientKeyFile).toBe(join(dir, `clientKey_${dkms.clientKey.keyId}.json`));
      expect(JSON.parse(await readFile(files.clientKeyFile, 'utf8')).KeyId).toBe(dkms.clientKey.keyId);
      expect(await readFile(files.passwordFile, 'utf8')).toBe(`${dkms.clientKey.password}\n`);
      expect(await readFile(files.caFile, 'utf8')).toBe(dkms.caBundlePem);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stop() closes held connections and the listener', async () => {
    const other = await LocalDkms.start({ pki: createTestPki(), clientKey: dkms.clientKey });
    other.injectFault({ kind: 'latency', delayMs: Infinity });
    now = Date.now();
    const signed = signDkmsRequest({
      method: 'POST',
      body: dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'x' }),
      date: new Date(),
      privateKey: clientKeyFromPem(other.clientKey.keyId, other.clientKey.privateKeyPem).privateKey,
      headers: { 'content-type': 'application/x-protobuf' },
    });
    const held = post(other, signed.headers, dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'x' }));
    await other.nextRequest();
    await other.close();
    await expect(held).rejects.toBeDefined();
    const probe = tls.connect({ host: '127.0.0.1', port: other.port, ca: other.caBundlePem });
    const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');
  });
});
