import { once } from 'node:events';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFromPem } from '../../../src/kms/dkms/client-key-loader.js';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import { DkmsSecretSource, type DkmsSourceOptions } from '../../../src/kms/dkms/dkms-secret-source.js';
import { signDkmsRequest } from '../../../src/kms/dkms/dkms-signer.js';
import { KmsError } from '../../../src/kms/kms-error.js';
import { MAX_TIMER_DELAY_MS } from '../../../src/runtime/clock.js';
import { LocalDkms } from '../../../src/testing/dkms/local-dkms.js';
import { SecretStore } from '../../../src/testing/secret-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

// The outages a KMS endpoint can have that only show as time passing: a TLS handshake that never completes
// (connect timeout) and a request that is accepted but never answered (read timeout). Both are played by the
// emulator itself, on its own port, so tests need no hand-made silent servers.
const SECRET = 'oss-ram-ak';
let dkms: LocalDkms;
let clock: VirtualClock;
const sources: DkmsSecretSource[] = [];

function source(overrides: Partial<DkmsSourceOptions> = {}): DkmsSecretSource {
  const created = new DkmsSecretSource({
    endpoint: dkms.endpoint,
    clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
    ca: dkms.caBundlePem,
    clock,
    connectTimeoutMs: 500,
    readTimeoutMs: 60_000,
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
  return error as KmsError;
}

/** Opens a TLS connection to `dkms`; resolves 'secure' on a completed handshake, else the error code. */
function handshake(target: LocalDkms): { socket: tls.TLSSocket; outcome: Promise<string> } {
  const socket = tls.connect({ host: '127.0.0.1', port: target.port, ca: target.caBundlePem, servername: 'localhost' });
  const outcome = new Promise<string>((resolve) => {
    socket.once('secureConnect', () => resolve('secure'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.once('close', () => resolve('closed'));
  });
  return { socket, outcome };
}

/** A signed GetSecretValue over its own connection (or `agent`'s); resolves the HTTP status and the socket. */
function post(target: LocalDkms, agent: https.Agent | false = false): Promise<{ status: number; socket: Socket }> {
  const body = dkmsMessages.encodeGetSecretValueRequest({ SecretName: SECRET });
  const { headers } = signDkmsRequest({
    method: 'POST',
    body,
    date: new Date(clock.now()),
    privateKey: clientKeyFromPem(target.clientKey.keyId, target.clientKey.privateKeyPem).privateKey,
    headers: {
      'x-kms-apiversion': 'dkms-gcs-0.2',
      'x-kms-apiname': 'GetSecretValue',
      'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
      'x-kms-acccesskeyid': target.clientKey.keyId,
      'content-type': 'application/x-protobuf',
    },
  });
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', servername: 'localhost', port: target.port, method: 'POST', path: '/', headers, ca: target.caBundlePem, agent },
      (response) => {
        const socket = response.socket; // detached from the response once it ends
        response.resume();
        response.once('end', () => resolve({ status: response.statusCode ?? 0, socket }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

beforeAll(async () => {
  clock = new VirtualClock(Date.now());
  dkms = await LocalDkms.start({ clock, store: new SecretStore({ clock }) });
  dkms.setRamCredential(SECRET, { accessKeyId: 'LTAI-faults', accessKeySecret: 'faults-secret', rotationIntervalMs: 86_400_000 });
});

afterEach(() => {
  dkms.clearFaults();
  for (const s of sources.splice(0)) s.close();
});

afterAll(async () => {
  await dkms.close();
});

describe('stallHandshake: accepts TCP, never sends a ServerHello', () => {
  it("lets a client's connect timeout fire at exactly connectTimeoutMs, and sees the connection torn down", async () => {
    dkms.injectFault({ kind: 'stallHandshake' });
    const outcome = rejection(source().getSecretValue({ secretName: SECRET }));
    await expect.poll(() => dkms.stalledConnections).toBe(1);
    await clock.advance(499);
    expect(dkms.stalledConnections).toBe(1); // still waiting: not timed out early
    await clock.advance(1);
    expect(await outcome).toMatchObject({ code: 'Kms.ConnectTimeout', retryable: true });
    await expect.poll(() => dkms.stalledConnections).toBe(0); // the client closed it; nothing lingers
    expect(dkms.requests).toHaveLength(0); // no request ever got through
  });

  it('applies to the given number of new connections; the next one handshakes normally', async () => {
    dkms.injectFault({ kind: 'stallHandshake' }, { times: 2 });
    const first = handshake(dkms);
    const second = handshake(dkms);
    const settled: string[] = [];
    for (const { outcome } of [first, second]) void outcome.then((value) => settled.push(value));
    await expect.poll(() => dkms.stalledConnections).toBe(2);
    const third = handshake(dkms);
    expect(await third.outcome).toBe('secure');
    third.socket.destroy();
    // A whole handshake completed meanwhile on another connection; the stalled ones are still waiting.
    expect(settled).toEqual([]);
    first.socket.destroy();
    second.socket.destroy();
    expect(await Promise.all([first.outcome, second.outcome])).toEqual(['closed', 'closed']);
    await expect.poll(() => dkms.stalledConnections).toBe(0);
  });

  it('closes idle keep-alive connections when queued, so a pooled client meets the fault too', async () => {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const { status, socket } = await post(dkms, agent);
      expect(status).toBe(200);
      const pooledClosed = once(socket, 'close');
      dkms.injectFault({ kind: 'stallHandshake' });
      await pooledClosed;
      const next = post(dkms, agent).catch((e: unknown) => e);
      await expect.poll(() => dkms.stalledConnections).toBe(1);
      agent.destroy();
      expect(await next).toMatchObject({ code: 'ECONNRESET' });
    } finally {
      agent.destroy();
    }
  });

  it('stop() closes stalled connections', async () => {
    const other = await LocalDkms.start({ pki: dkms.pki, clientKey: dkms.clientKey });
    other.injectFault({ kind: 'stallHandshake' }, { times: Infinity });
    const stalled = handshake(other);
    await expect.poll(() => other.stalledConnections).toBe(1);
    await other.close();
    expect(['ECONNRESET', 'closed']).toContain(await stalled.outcome);
    expect(other.stalledConnections).toBe(0);
  });
});

describe('latency Infinity: accepts the request, never answers', () => {
  it('holds the request however far the emulator clock moves, until stop()', async () => {
    const other = await LocalDkms.start({ clock, pki: dkms.pki, clientKey: dkms.clientKey, store: dkms.store });
    other.injectFault({ kind: 'latency', delayMs: Infinity });
    let answered = false;
    const pending = post(other).finally(() => (answered = true));
    const record = await other.nextRequest();
    expect(record).toMatchObject({ secretName: SECRET });
    await clock.advance(10 * MAX_TIMER_DELAY_MS);
    expect(answered).toBe(false);
    expect(record.fault).toBe('latency');
    expect(record.httpStatus).toBeUndefined();
    await other.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it("makes a client's read timeout fire (and a finite latency answers once it has passed)", async () => {
    dkms.injectFault({ kind: 'latency', delayMs: Infinity });
    const hung = rejection(source({ readTimeoutMs: 2000 }).getSecretValue({ secretName: SECRET }));
    await dkms.nextRequest();
    await clock.advance(2000);
    expect(await hung).toMatchObject({ code: 'Kms.ReadTimeout', retryable: true });

    dkms.injectFault({ kind: 'latency', delayMs: 1000 });
    const slow = source({ readTimeoutMs: 2000 }).getSecretValue({ secretName: SECRET });
    await dkms.nextRequest();
    await clock.advance(1000);
    await expect(slow).resolves.toMatchObject({ secretName: SECRET });
  });
});
