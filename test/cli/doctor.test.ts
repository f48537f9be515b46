import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor/doctor-report.js';
import { runCli } from '../../src/cli/run-cli.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { collectingEnvironment } from './cli-test-io.js';

const SECRET = 'oss-doctor-ak';
const BUCKET = 'doctor-bucket';
const KEY = { accessKeyId: 'LTAI5tDoctorKey1', accessKeySecret: 'doctor-secret-value-never-printed' };

let dkms: LocalDkms;
let deadDkms: LocalDkms;
let oss: LocalOss;
let dir: string;
let goodConfig: string;
let wrongPasswordConfig: string;
let kmsDownConfig: string;
const outputs: string[] = [];

function properties(endpoint: string, clientKeyFile: string, passwordFile: string, caFile: string): string {
  const instance = { regionId: 'cn-hangzhou', endpoint, clientKeyFile, passwordFromFilePath: passwordFile, caFilePath: caFile };
  return `cache_client_dkms_config_info=[${JSON.stringify(instance)}]\nsecret_names=${SECRET}\nrotation_interval=3600000\n`;
}

async function doctor(...args: string[]) {
  const io = collectingEnvironment({});
  const code = await runCli(['doctor', ...args], io);
  outputs.push(io.out(), io.err());
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  [dkms, deadDkms, oss] = await Promise.all([
    LocalDkms.start(),
    LocalDkms.start(),
    LocalOss.start({ buckets: [BUCKET], keys: [KEY] }),
  ]);
  dkms.setRamCredential(SECRET, { ...KEY, rotationIntervalMs: 7 * 24 * 3600_000 });
  dir = await mkdtemp(join(tmpdir(), 'doctor-test-'));
  const files = await dkms.writeClientFiles(dir);
  const deadFiles = await deadDkms.writeClientFiles(join(dir, 'dead'));
  await writeFile(join(dir, 'wrong_Password.txt'), 'not-the-password\n');
  const [key, password, ca] = [files.clientKeyFile, files.passwordFile, files.caFile].map((f) => basename(f)) as [string, string, string];
  goodConfig = join(dir, 'good.properties');
  wrongPasswordConfig = join(dir, 'wrong-password.properties');
  kmsDownConfig = join(dir, 'kms-down.properties');
  await writeFile(goodConfig, properties(dkms.endpoint, key, password, ca));
  await writeFile(wrongPasswordConfig, properties(dkms.endpoint, key, 'wrong_Password.txt', ca));
  await writeFile(kmsDownConfig, properties(deadDkms.endpoint, deadFiles.clientKeyFile, deadFiles.passwordFile, deadFiles.caFile));
  await deadDkms.close(); // its port now refuses connections
});

afterAll(async () => {
  await Promise.all([dkms.close(), oss.close()]);
  await rm(dir, { recursive: true, force: true });
  // No secret reached any output of any test in this file.
  const everything = outputs.join('\n');
  for (const secret of [KEY.accessKeySecret, dkms.clientKey.password, deadDkms.clientKey.password]) {
    expect(everything).not.toContain(secret);
  }
});

describe('doctor', () => {
  it('passes against a LocalDkms-backed configuration and a LocalOss bucket', async () => {
    const { code, out } = await doctor('--config', goodConfig, '--bucket', BUCKET, '--endpoint', oss.endpoint);
    expect(code).toBe(0);
    expect(out).toContain(`secret: ${SECRET}`);
    expect(out).toMatch(new RegExp(`ok {3}dkms\\(127\\.0\\.0\\.1:${dkms.port}, cn-hangzhou\\): \\d+ ms, version \\d+, key ${KEY.accessKeyId}, next rotation \\d{4}-`));
    expect(out).toMatch(/rotation_interval\s+3600000\s+file/);
    expect(out).toMatch(/delay_interval\s+300000\s+default/);
    expect(out).toContain('OSS accepted the key (answer: 404 NoSuchKey)');
    expect(out).toContain('All checks passed.');
    // The GET went to OSS signed with the secret's key.
    expect(oss.requests.last()).toMatchObject({ method: 'GET', accessKeyId: KEY.accessKeyId, errorCode: 'NoSuchKey' });
  });

  it('prints one JSON report with --json', async () => {
    const { code, out } = await doctor('--config', goodConfig, '--secret', SECRET, '--bucket', BUCKET, '--endpoint', oss.endpoint, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out) as DoctorReport;
    expect(report).toMatchObject({ ok: true, exitCode: 0, configFile: goodConfig, secretName: SECRET, nextSteps: [] });
    expect(report.sources).toHaveLength(1);
    expect(report.sources[0]).toMatchObject({ kind: 'dkms', ok: true, accessKeyId: KEY.accessKeyId, versionStages: ['ACSCurrent'] });
    expect(Date.parse(report.sources[0]!.nextRotationDate!)).toBeGreaterThan(Date.now());
    expect(report.settings.find((s) => s.key === 'secret_names')).toEqual({ key: 'secret_names', value: SECRET, origin: 'file' });
    expect(report.dkmsInstances[0]!.passwordSource).toContain('passwordFromFilePath');
    expect(report.oss).toMatchObject({ ok: true, answer: '404 NoSuchKey', bucket: BUCKET });
  });

  it('names the password file as the next step when the ClientKey password is wrong (exit 2)', async () => {
    const { code, out } = await doctor('--config', wrongPasswordConfig);
    expect(code).toBe(2);
    expect(out).toContain('ConfigError.WrongPassword');
    expect(out).toMatch(/next step:.*password file downloaded with this ClientKey/);
    expect(out).toContain('A check failed (exit 2)');
    expect(out).not.toContain('configuration loaded and valid');
  });

  it('fails the source check with a "refused" next step when KMS is down (exit 1)', async () => {
    const { code, out } = await doctor('--config', kmsDownConfig, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.sources[0]).toMatchObject({ ok: false, problem: { code: 'Kms.NetworkError' } });
    expect(report.nextSteps[0]).toContain(`${deadDkms.endpoint} refused the connection`);
  });

  it('fails the OSS check when OSS rejects the key (exit 1)', async () => {
    oss.keys.revoke(KEY.accessKeyId);
    try {
      const { code, out } = await doctor('--config', goodConfig, '--bucket', BUCKET, '--endpoint', oss.endpoint);
      expect(code).toBe(1);
      expect(out).toContain('FAIL OSS check (answer: 403 InvalidAccessKeyId)');
      expect(out).toContain(`OSS does not accept the AccessKey in secret "${SECRET}"`);
    } finally {
      oss.keys.add(KEY);
    }
  });

  it('fails the OSS check for a bucket that does not exist (exit 1)', async () => {
    const { code, out } = await doctor('--config', goodConfig, '--bucket', 'no-such-bucket', '--endpoint', oss.endpoint, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(out) as DoctorReport;
    expect(report.sources[0]!.ok).toBe(true);
    expect(report.oss).toMatchObject({ ok: false, answer: '404 NoSuchBucket', problem: { code: 'NoSuchBucket' } });
    expect(report.nextSteps).toEqual([expect.stringContaining('Bucket "no-such-bucket" does not exist')]);
  });

  it('fails the KMS check for a secret that does not exist (exit 1)', async () => {
    const { code, out } = await doctor('--config', goodConfig, '--secret', 'no-such-secret');
    expect(code).toBe(1);
    expect(out).toContain('Forbidden.ResourceNotFound');
    expect(out).toContain('secret "no-such-secret" does not exist');
  });

  it('exits 2 for a missing configuration file, naming the file', async () => {
    const missing = join(dir, 'missing.properties');
    const { code, out } = await doctor('--config', missing);
    expect(code).toBe(2);
    expect(out).toContain('ConfigError.FileNotFound');
    expect(out).toContain(missing);
  });

  it('exits 2 for usage errors', async () => {
    expect((await doctor('--bucket', BUCKET)).code).toBe(2);
    const unknown = await doctor('--no-such-flag');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('usage: ali-oss-managed-credentials doctor');
    const io = collectingEnvironment();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });
});
