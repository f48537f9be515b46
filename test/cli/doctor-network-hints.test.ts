import OSS from 'ali-oss';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor/doctor-report.js';
import { describeProblem } from '../../src/cli/doctor/next-step.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { createTestClientKey } from '../../src/testing/pki/index.js';
import { createDoctorFixture, type DoctorFixture } from './doctor-fixture.js';

// Each failure gets the advice for what actually happened on the wire, over real sockets: a KMS endpoint
// that accepts but never answers, one where no connection completes, a refused port, an untrusted
// certificate, a 403 and a bad signature; an OSS endpoint that never answers or refuses. Timeouts are set
// small through the properties file (KMS) and --oss-timeout (OSS) to keep each test fast.
const SECRET = 'oss-doctor-ak';
const BUCKET = 'doctor-hint-bucket';
const KEY = { accessKeyId: 'LTAI5tDoctorHint1', accessKeySecret: 'doctor-hint-secret-never-printed' };

let dkms: LocalDkms;
let oss: LocalOss;
let dir: string;
let fixture: DoctorFixture;
let goodConfig: string;
/** Accepts TCP connections and never writes a byte: no TLS handshake, no HTTP answer. */
let silent: Server;
const silentSockets = new Set<Socket>();
let silentEndpoint: string;
/** A port nothing listens on. */
let closedEndpoint: string;

/** A TCP endpoint on 127.0.0.1 that refuses connections: a port that was just freed. */
async function freedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: [BUCKET], keys: [KEY] })]);
  dkms.setRamCredential(SECRET, KEY);
  dir = await mkdtemp(join(tmpdir(), 'doctor-hints-test-'));
  fixture = await createDoctorFixture(dir, dkms);
  goodConfig = await fixture.properties('good.properties');
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentEndpoint = `127.0.0.1:${(silent.address() as { port: number }).port}`;
  closedEndpoint = `127.0.0.1:${await freedPort()}`;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await Promise.all([dkms.close(), oss.close(), new Promise((resolve) => silent.close(resolve))]);
  await rm(dir, { recursive: true, force: true });
  fixture.expectNoSecretPrinted([KEY.accessKeySecret, dkms.clientKey.password]);
});

async function doctorJson(...args: string[]): Promise<{ code: number; report: DoctorReport }> {
  const { code, out } = await fixture.doctor(...args, '--json');
  return { code, report: JSON.parse(out) as DoctorReport };
}

describe('doctor: KMS failures get the advice for what happened', () => {
  it('an instance that accepts the connection but never answers: network path, VPC, security group, port (exit 1)', async () => {
    const config = await fixture.properties('never-answers.properties', { readTimeout: 300 });
    dkms.injectFault({ kind: 'latency', delayMs: Infinity });
    try {
      const started = Date.now();
      const { code, out } = await fixture.doctor('--config', config);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(code).toBe(1);
      expect(out).toContain('ReadTimeout: timed out after 300 ms');
      expect(out).toMatch(new RegExp(`next step: ${dkms.endpoint} accepted the connection but never answered`));
      for (const hint of ['inside its VPC', 'security group', `outbound TCP to port ${dkms.port}`, "the instance's port (443)"]) {
        expect(out).toContain(hint);
      }
    } finally {
      dkms.clearFaults();
    }
  });

  it('an endpoint where no connection completes: the network path is blocked, VPC, security group, port (exit 1)', async () => {
    const config = await fixture.properties('no-handshake.properties', { endpoint: silentEndpoint, connectTimeout: 300 });
    const { code, report } = await doctorJson('--config', config);
    expect(code).toBe(1);
    expect(report.sources[0]).toMatchObject({ ok: false, problem: { code: 'Kms.ConnectTimeout' } });
    expect(report.nextSteps[0]).toMatch(new RegExp(`^Nothing at ${silentEndpoint} completed a connection in time: the network path to it is blocked\\. A KMS instance endpoint answers only inside its VPC`));
    expect(report.nextSteps[0]).toContain('security group');
  });

  it('a refused connection: the endpoint or port is wrong, or the service is down (exit 1)', async () => {
    const config = await fixture.properties('refused.properties', { endpoint: closedEndpoint });
    const { code, report } = await doctorJson('--config', config);
    expect(code).toBe(1);
    expect(report.sources[0]).toMatchObject({ ok: false, problem: { code: 'Kms.NetworkError' } });
    expect(report.nextSteps).toEqual([
      `${closedEndpoint} refused the connection: the host or port in the endpoint is wrong, or the service is not running there. ` +
        'Copy the endpoint from the KMS console (instance details; port 443 unless stated).',
    ]);
  });

  it('an untrusted certificate: the CA file (exit 1)', async () => {
    const strangerCa = join(dir, 'stranger-ca.pem');
    await writeFile(strangerCa, createTestClientKey({ keyLabel: 'doctor-stranger' }).certificatePem);
    const config = await fixture.properties('wrong-ca.properties', { caFilePath: strangerCa });
    const { code, report } = await doctorJson('--config', config);
    expect(code).toBe(1);
    expect(report.sources[0]).toMatchObject({ ok: false, problem: { code: 'Kms.TlsVerificationFailed' } });
    expect(report.nextSteps[0]).toMatch(/^Set caFilePath of this instance to its CA bundle \(root and intermediate/);
  });

  it('a signature KMS does not accept: the ClientKey (exit 1)', async () => {
    // The instance now holds another public key for this ClientKey's id.
    dkms.registerClientKey(dkms.clientKey.keyId, createTestClientKey({ keyLabel: 'doctor-stranger' }).publicKeyPem);
    try {
      const { code, report } = await doctorJson('--config', goodConfig);
      expect(code).toBe(1);
      expect(report.sources[0]).toMatchObject({ ok: false, problem: { code: 'SignatureNotMatch' } });
      expect(report.nextSteps[0]).toContain("did not accept the ClientKey's signature");
      expect(report.nextSteps[0]).toContain('download the ClientKey again');
    } finally {
      dkms.registerClientKey(dkms.clientKey.keyId, dkms.clientKey.publicKeyPem);
    }
  });

  it('a 403: the permissions of the ClientKey (exit 1)', async () => {
    dkms.setAccessDenied(SECRET);
    dkms.injectFault({ kind: 'error', httpStatus: 403, errorCode: 'Forbidden.AccessDenied' });
    try {
      const denied = await doctorJson('--config', goodConfig);
      expect(denied.code).toBe(1);
      expect(denied.report.nextSteps[0]).toContain(`refused the ClientKey (HTTP 403): check that its application access point allows kms:GetSecretValue on secret "${SECRET}"`);
      const noPermission = await doctorJson('--config', goodConfig);
      expect(noPermission.report.sources[0]).toMatchObject({ problem: { code: 'Forbidden.NoPermission' } });
      expect(noPermission.report.nextSteps[0]).toBe(`Allow kms:GetSecretValue on secret "${SECRET}" in the policy of the ClientKey's application access point.`);
    } finally {
      dkms.clearFaults();
      dkms.setAccessDenied(SECRET, false);
    }
  });
});

describe('doctor: OSS failures get OSS advice', () => {
  it('an OSS endpoint that accepts but never answers: the OSS endpoint (internal vs public), not KMS (exit 1)', async () => {
    const started = Date.now();
    const { code, out } = await fixture.doctor('--config', goodConfig, '--bucket', BUCKET, '--endpoint', `http://${silentEndpoint}`, '--oss-timeout', '300');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(1);
    expect(out).toContain(`ok   dkms(${dkms.endpoint}, cn-hangzhou)`);
    expect(out).toContain(`FAIL OSS check\n        ResponseTimeoutError: OSS at http://${silentEndpoint} accepted the connection but sent no answer within the time limit (300 ms)\n`);
    expect(out).toContain("next step: Check --endpoint: it must be the endpoint of the bucket's region");
    expect(out).toContain("internal endpoint (oss-<region>-internal.aliyuncs.com)");
    const ossPart = out.slice(out.indexOf('OSS: GET'));
    expect(ossPart).not.toMatch(/KMS|instance/);
    // ali-oss's own advice and request dump stay out of the report.
    expect(out).not.toMatch(/please increase the timeout|github\.com|agent status/);
  });

  it('a real OSS timeout on an internal endpoint names the public endpoint to use instead', async () => {
    const client = new OSS({ endpoint: `http://${silentEndpoint}`, bucket: BUCKET, accessKeyId: KEY.accessKeyId, accessKeySecret: KEY.accessKeySecret, timeout: 200 });
    const error: unknown = await client.get('missing').then(() => undefined, (failure: unknown) => failure);
    const problem = describeProblem(error, { service: 'oss', endpoint: 'oss-cn-hangzhou-internal.aliyuncs.com', bucket: BUCKET });
    expect(problem.nextStep).toMatch(
      /^oss-cn-hangzhou-internal\.aliyuncs\.com is an internal OSS endpoint: it answers only from Alibaba Cloud hosts .* use the public endpoint oss-cn-hangzhou\.aliyuncs\.com\./,
    );
  });

  it('a refused OSS connection: the endpoint or its port (exit 1)', async () => {
    const { code, report } = await doctorJson('--config', goodConfig, '--bucket', BUCKET, '--endpoint', `http://${closedEndpoint}`);
    expect(code).toBe(1);
    expect(report.oss).toMatchObject({ ok: false, problem: { code: 'RequestError', message: `OSS at http://${closedEndpoint} refused the connection` } });
    expect(report.oss!.answer).toBeUndefined();
    expect(report.nextSteps[0]).toMatch(/refused the connection: the endpoint or its port is wrong/);
  });

  it('a bucket name ali-oss refuses is a usage error with a next step, not a crash (exit 2)', async () => {
    const { code, out } = await fixture.doctor('--config', goodConfig, '--bucket', 'Not_A_Bucket', '--endpoint', oss.endpoint);
    expect(code).toBe(2);
    expect(out).toContain('Doctor.InvalidOssOptions: ali-oss does not accept these OSS options');
    expect(out).toContain('next step: Fix --bucket');
  });
});
