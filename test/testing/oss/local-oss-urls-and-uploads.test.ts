import OSS from 'ali-oss';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalOss } from '../../../src/testing/oss/index.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { captureConsoleWarn, newOssClient, type Capture } from '../../support/capture-output.js';

const AK = { accessKeyId: 'LTAI-url', accessKeySecret: 'url-secret' };
const STS = { accessKeyId: 'STS.url', accessKeySecret: 'sts-url-secret', stsToken: 'url-token' };

let oss: LocalOss;
let clock: VirtualClock;
let client: OSS;
let stsClient: OSS;

beforeAll(async () => {
  clock = new VirtualClock(Date.now());
  oss = await LocalOss.start({
    clock,
    buckets: ['urls'],
    keys: [AK, { accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret, securityToken: STS.stsToken }],
  });
  client = new OSS({ ...oss.clientOptions('urls', 'path'), ...AK });
  stsClient = newOssClient({ ...oss.clientOptions('urls', 'path'), ...STS });
  oss.putObject('urls', 'doc/readme.txt', 'signed content');
});
afterAll(async () => {
  await oss.close();
});

describe('signed URLs with plain fetch', () => {
  it('V1 GET, with response-* overrides, and with an STS token', async () => {
    const url = client.signatureUrl('doc/readme.txt', { expires: 60, response: { 'content-type': 'text/x-test' } });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/x-test');
    expect(await response.text()).toBe('signed content');

    const stsUrl = stsClient.signatureUrl('doc/readme.txt', { expires: 60 });
    expect(stsUrl).toContain('security-token=');
    expect((await fetch(stsUrl)).status).toBe(200);
    expect(oss.requests.last()).toMatchObject({ authKind: 'v1-url', accessKeyId: STS.accessKeyId, status: 200 });
  });

  it('V1 PUT with the signed Content-Type stores the body', async () => {
    const url = client.signatureUrl('up/put.txt', { method: 'PUT', expires: 60, 'Content-Type': 'text/plain' });
    const response = await fetch(url, { method: 'PUT', body: 'via url', headers: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(200);
    expect(oss.getObject('urls', 'up/put.txt')?.body.toString()).toBe('via url');
  });

  it('V1: an expired URL → AccessDenied "Request has expired."; a tampered one → SignatureDoesNotMatch', async () => {
    const url = client.signatureUrl('doc/readme.txt', { expires: 60 });
    await clock.advance(61_000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    const xml = await expired.text();
    expect(xml).toContain('<Code>AccessDenied</Code>');
    expect(xml).toContain('Request has expired.');
    await clock.advance(-61_000);
    const tampered = await fetch(url.replace('readme.txt', 'other.txt'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('V4 GET and PUT (signatureUrlV4), with STS, and expiry', async () => {
    const getUrl = await stsClient.signatureUrlV4('GET', 60, {}, 'doc/readme.txt');
    const got = await fetch(getUrl);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('signed content');
    expect(oss.requests.last()).toMatchObject({ authKind: 'v4-url', accessKeyId: STS.accessKeyId });

    const putUrl = await client.signatureUrlV4('PUT', 60, { headers: { 'Content-Type': 'text/plain' } }, 'up/v4.txt');
    const put = await fetch(putUrl, { method: 'PUT', body: 'v4 body', headers: { 'Content-Type': 'text/plain' } });
    expect(put.status).toBe(200);
    expect(oss.getObject('urls', 'up/v4.txt')?.body.toString()).toBe('v4 body');

    await clock.advance(61_000);
    const expired = await fetch(getUrl);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired.');
    await clock.advance(-61_000);
  });
});

describe('upload integrity', () => {
  it('an upload stream that fails midway stores nothing (with and without Content-Length)', async () => {
    // urllib (under ali-oss) answers the failed stream, then sees the aborted request's "socket hang up" and
    // warns "callback twice" on the console: expected here, so captured and checked instead of printed.
    const warnings = captureConsoleWarn();
    try {
      await uploadsThatFailMidway(warnings);
    } finally {
      warnings.restore();
    }
    expect(oss.counters().aborted).toBeGreaterThanOrEqual(2);
  });

  async function uploadsThatFailMidway(warnings: Capture): Promise<void> {
    for (const contentLength of [undefined, 1000]) {
      const key = `broken/${contentLength ?? 'chunked'}.bin`;
      let sent = false;
      const failing = new Readable({
        read() {
          if (!sent) {
            sent = true;
            this.push(Buffer.alloc(300, 1));
          } else {
            // Fail only once the server is receiving this request, so the abort really hits it.
            void vi
              .waitFor(() => expect(oss.inFlight).toBeGreaterThan(0))
              .then(() => this.destroy(new Error('source failed')));
          }
        },
      });
      const options = contentLength === undefined ? {} : { contentLength };
      await expect(client.putStream(key, failing, options as OSS.PutStreamOptions)).rejects.toThrow();
      await vi.waitFor(() => expect(oss.requests.entries().some((r) => r.key === key)).toBe(true));
      await oss.whenIdle();
      expect(oss.getObject('urls', key)).toBeUndefined();
      expect(oss.requests.entries().find((r) => r.key === key)).toMatchObject({ status: 0, errorCode: 'IncompleteBody' });
      await vi.waitFor(() => expect(warnings.messages().some((m) => m.includes(`/${key} callback twice`))).toBe(true));
    }
    expect(warnings.messages().every((m) => m.startsWith('[urllib:warn]'))).toBe(true);
  }

  it('a body shorter than its Content-Length is never stored, though the same signed request completes', async () => {
    const url = new URL(client.signatureUrl('raw/truncated.bin', { method: 'PUT', expires: 60 }));
    const send = (body: Buffer, declared: number) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('error', reject);
        socket.on('close', () => resolve(answer));
        socket.write(
          `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`,
        );
        socket.end(body);
      });
    await send(Buffer.from('12345'), 10);
    await oss.whenIdle();
    expect(oss.getObject('urls', 'raw/truncated.bin')).toBeUndefined();
    expect(oss.requests.last()).toMatchObject({ key: 'raw/truncated.bin', status: 0, bodyLength: 5 });

    const answer = await send(Buffer.from('1234567890'), 10);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(oss.getObject('urls', 'raw/truncated.bin')?.body.toString()).toBe('1234567890');
  });
});

describe('lifecycle', () => {
  it('stop() closes keep-alive connections and the port', async () => {
    const local = await LocalOss.start({ buckets: ['life'], keys: [AK] });
    const c = new OSS({ ...local.clientOptions('life'), ...AK });
    await c.put('k', Buffer.from('v'));
    await local.close();
    await local.close();
    await expect(fetch(`${local.endpoint}/`)).rejects.toThrow();
  });
});
