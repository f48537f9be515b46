import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor/doctor-report.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';

// doctor over a failover group, as the built CLI in a child process: one of two KMS instances down means the
// app still works (exit 3, "works through 1 of 2"); none up means it does not (exit 1). Ignored keys show as
// ignored.
const MAIN = fileURLToPath(new URL('../../dist/esm/cli/main.js', import.meta.url));
const SECRET = 'oss-doctor-failover';
const KEY = { accessKeyId: 'LTAI5tDoctorFailover', accessKeySecret: 'doctor-failover-secret-never-printed' };

let live: LocalDkms;
let dead: LocalDkms;
let otherDead: LocalDkms;
let dir: string;
let degraded: string;
let allDown: string;

interface Entry {
  endpoint: string;
  files: { clientKeyFile: string; passwordFile: string; caFile: string };
}

function entry({ endpoint, files }: Entry): object {
  return { regionId: 'cn-hangzhou', endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: files.passwordFile, caFilePath: files.caFile };
}

function doctor(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [MAIN, 'doctor', ...args], { env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1' }, cwd: dir });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

beforeAll(async () => {
  [live, dead, otherDead] = await Promise.all([LocalDkms.start(), LocalDkms.start(), LocalDkms.start()]);
  live.setRamCredential(SECRET, KEY);
  dir = await mkdtemp(join(tmpdir(), 'doctor-failover-test-'));
  const liveEntry = { endpoint: live.endpoint, files: await live.writeClientFiles(join(dir, 'live')) };
  const deadEntry = { endpoint: dead.endpoint, files: await dead.writeClientFiles(join(dir, 'dead')) };
  const otherDeadEntry = { endpoint: otherDead.endpoint, files: await otherDead.writeClientFiles(join(dir, 'other-dead')) };
  degraded = join(dir, 'degraded.properties');
  allDown = join(dir, 'all-down.properties');
  const rest = `secret_names=${SECRET}\nmonitor_period_milliseconds=1800000\ncredentials_access_key_id=LTAI5tNotUsedHere\n`;
  await writeFile(degraded, `cache_client_dkms_config_info=${JSON.stringify([entry(deadEntry), entry(liveEntry)])}\n${rest}`);
  await writeFile(allDown, `cache_client_dkms_config_info=${JSON.stringify([entry(deadEntry), entry(otherDeadEntry)])}\n${rest}`);
  await Promise.all([dead.close(), otherDead.close()]); // their ports now refuse connections
});

afterAll(async () => {
  await live.close();
  await rm(dir, { recursive: true, force: true });
});

describe('doctor over two KMS instances', () => {
  it('one down: the app works through 1 of 2, exit 3, and the dead one has its next step', async () => {
    const { code, out, err } = await doctor('--config', degraded);
    expect(err).toBe('');
    expect(code).toBe(3);
    expect(out).toContain(`FAIL dkms(${dead.endpoint}`);
    expect(out).toMatch(new RegExp(`ok +dkms\\(${live.endpoint.replace(/[.]/g, '\\.')}`));
    expect(out).toContain('works through 1 of 2 KMS sources');
    expect(out).toContain('(exit 3)');
    expect(out).toContain(`${dead.endpoint} refused the connection`);
    expect(out).not.toContain(KEY.accessKeySecret);
  });

  it('one down, --json: sourcesWorking and exitCode 3', async () => {
    const { code, out } = await doctor('--config', degraded, '--json');
    expect(code).toBe(3);
    const report = JSON.parse(out) as DoctorReport;
    expect(report).toMatchObject({ ok: false, exitCode: 3, sourcesWorking: { working: 1, total: 2 } });
  });

  it('both down: no source works, exit 1', async () => {
    const { code, out } = await doctor('--config', allDown);
    expect(code).toBe(1);
    expect(out).toContain('works through 0 of 2 KMS sources');
    expect(out).toContain('(exit 1)');
  });

  it('shows ignored keys as ignored, not "(set)"', async () => {
    const { out } = await doctor('--config', degraded);
    const row = (key: string) => out.split('\n').find((line) => line.trim().startsWith(`${key} `)) ?? '';
    expect(row('monitor_period_milliseconds')).toMatch(/monitor_period_milliseconds\s+ignored\s+file/);
    expect(row('credentials_access_key_id')).toMatch(/credentials_access_key_id\s+ignored\s+file/);
    expect(row('secret_names')).toContain(SECRET);
  });

  it('documents exit 3 in --help', async () => {
    const { code, out } = await doctor('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/3 +the application works through failover/);
  });
});
