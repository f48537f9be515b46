import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { collectingEnvironment } from './cli-test-io.js';

// The built bin, as a profile's process_command runs it (npm run build first).
const MAIN = fileURLToPath(new URL('../../dist/esm/cli/main.js', import.meta.url));
const HOUR_MS = 3600_000;

const AK_SECRET = 'oss-credproc-ak';
const AK = { accessKeyId: 'LTAI5tCredProcKey1', accessKeySecret: 'credproc-secret-value-never-on-stderr' };
const ROTATING_SECRET = 'oss-credproc-rotating';
const ROTATING = { accessKeyId: 'LTAI5tCredProcKey2', accessKeySecret: 'credproc-rotating-secret-value' };
const STS_SECRET = 'oss-credproc-sts';
const STS = { AccessKeyId: 'STS.CredProcKey3', AccessKeySecret: 'credproc-sts-secret-value', SecurityToken: 'credproc-sts-token-value' };

let dkms: LocalDkms;
let dir: string;
let config: string;
let wrongPasswordConfig: string;
let badValueConfig: string;
let rotationAtMs: number;
let stsExpiresAtMs: number;
const stderrs: string[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a separate process, as `@alicloud/credentials` does (execFile, no shell). */
function runBin(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      stderrs.push(stderr);
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** The environment without any Alibaba Cloud or configuration variable of the machine running the tests. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^ALIBABA_CLOUD_|^ALICLOUD_|^ALI_OSS_MANAGED_CREDENTIALS_/.test(name)),
  );
  return { ...env, NO_COLOR: '1', ...extra };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

beforeAll(async () => {
  dkms = await LocalDkms.start();
  dkms.setRamCredential(AK_SECRET, { ...AK, rotationIntervalMs: 7 * 24 * HOUR_MS });
  dkms.setRamCredential(ROTATING_SECRET, { ...ROTATING, rotationIntervalMs: 7 * 24 * HOUR_MS });
  // A rotation within rotation_interval: the library reads the new key delay_interval after it.
  rotationAtMs = Math.floor((Date.now() + 30 * 60_000) / 1000) * 1000;
  dkms.store.setRotation(ROTATING_SECRET, { enabled: true, nextRotationDateMs: rotationAtMs });
  stsExpiresAtMs = Math.floor((Date.now() + 2 * HOUR_MS) / 1000) * 1000;
  dkms.setSecret(STS_SECRET, { secretData: JSON.stringify({ ...STS, ExpireTimestamp: new Date(stsExpiresAtMs).toISOString().replace('.000Z', 'Z') }) });

  dir = await mkdtemp(join(tmpdir(), 'credproc-test-'));
  const files = await dkms.writeClientFiles(dir);
  const entry = (password: string) =>
    JSON.stringify([{ regionId: 'cn-hangzhou', endpoint: dkms.endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: password, caFilePath: files.caFile }]);
  const common = 'rotation_interval=3600000\ndelay_interval=300000\nrefresh_jitter_max=0\n';
  config = join(dir, 'good.properties');
  await writeFile(config, `cache_client_dkms_config_info=${entry(files.passwordFile)}\n${common}`);
  await writeFile(join(dir, 'wrong-password.txt'), 'not-the-password\n');
  wrongPasswordConfig = join(dir, 'wrong-password.properties');
  await writeFile(wrongPasswordConfig, `cache_client_dkms_config_info=${entry(join(dir, 'wrong-password.txt'))}\n${common}`);
  badValueConfig = join(dir, 'bad-value.properties');
  await writeFile(badValueConfig, `cache_client_dkms_config_info=${entry(files.passwordFile)}\nrotation_interval=6h\n`);
}, 30_000);

afterAll(async () => {
  await dkms?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  // No secret reached stderr in any run of this file (stdout carries the credential by design).
  const everything = stderrs.join('\n');
  for (const secret of [AK.accessKeySecret, ROTATING.accessKeySecret, STS.AccessKeySecret, STS.SecurityToken, dkms.clientKey.password]) {
    expect(everything).not.toContain(secret);
  }
});

describe('credential-process', () => {
  it('prints exactly one External JSON object for a RAM AccessKey, expiring when the library would refresh next', async () => {
    const before = Date.now();
    const run = await runBin(['credential-process', '--secret', AK_SECRET, '--config', config]);
    const after = Date.now();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // One line, one object, nothing else.
    expect(run.stdout.endsWith('\n')).toBe(true);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const printed = JSON.parse(run.stdout) as Record<string, string>;
    expect(Object.keys(printed)).toEqual(['mode', 'access_key_id', 'access_key_secret', 'expiration']);
    expect(printed).toMatchObject({ mode: 'AK', access_key_id: AK.accessKeyId, access_key_secret: AK.accessKeySecret });
    // The next rotation is a week away: the library re-reads after rotation_interval (1 h, no jitter here).
    expect(printed.expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const expiresMs = Date.parse(printed.expiration!);
    expect(expiresMs).toBeGreaterThanOrEqual(before + HOUR_MS - 1000);
    expect(expiresMs).toBeLessThanOrEqual(after + HOUR_MS);
    expect(dkms.getSecretValueCount(AK_SECRET)).toBe(1);
  }, 30_000);

  it('expires delay_interval after a NextRotationDate that falls within rotation_interval', async () => {
    const run = await runBin(['credential-process', '--secret', ROTATING_SECRET, '--config', config]);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, string>;
    expect(printed).toMatchObject({ mode: 'AK', access_key_id: ROTATING.accessKeyId });
    // Whole seconds, rounded down (the wall time is converted from the cache's monotonic schedule).
    const refreshMs = rotationAtMs + 5 * 60_000;
    expect(Date.parse(printed.expiration!)).toBeGreaterThanOrEqual(refreshMs - 1000);
    expect(Date.parse(printed.expiration!)).toBeLessThanOrEqual(refreshMs);
  }, 30_000);

  it('prints mode StsToken with sts_token for a secret holding an STS token, expiring ahead of the token', async () => {
    const run = await runBin(['credential-process', '--secret', STS_SECRET, '--config', config]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, string>;
    expect(Object.keys(printed)).toEqual(['mode', 'access_key_id', 'access_key_secret', 'sts_token', 'expiration']);
    expect(printed).toMatchObject({
      mode: 'StsToken',
      access_key_id: STS.AccessKeyId,
      access_key_secret: STS.AccessKeySecret,
      sts_token: STS.SecurityToken,
    });
    const expiresMs = Date.parse(printed.expiration!);
    expect(expiresMs).toBeLessThan(stsExpiresAtMs);
    // Far enough ahead that @alicloud/credentials (which reruns 180 s before) keeps it for a while.
    expect(expiresMs).toBeGreaterThan(Date.now() + 10 * 60_000);
  }, 30_000);

  it('exits 1 with the reason on stderr and nothing on stdout when the secret does not exist', async () => {
    const run = await runBin(['credential-process', '--secret', 'no-such-secret', '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: credential-process: Forbidden\.ResourceNotFound: /);
    expect(run.stderr).toContain('secret "no-such-secret" does not exist at the KMS endpoint');
    expect(run.stderr).toContain('ali-oss-managed-credentials doctor');
  }, 30_000);

  it('exits 2 for a configuration that cannot be used, naming the file, key or ClientKey, without the password', async () => {
    const missing = await runBin(['credential-process', '--secret', AK_SECRET, '--config', join(dir, 'absent.properties')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('absent.properties');

    const badValue = await runBin(['credential-process', '--secret', AK_SECRET, '--config', badValueConfig]);
    expect(badValue.code).toBe(2);
    expect(badValue.stdout).toBe('');
    expect(badValue.stderr).toContain('rotation_interval');

    const wrongPassword = await runBin(['credential-process', '--secret', AK_SECRET, '--config', wrongPasswordConfig]);
    expect(wrongPassword.code).toBe(2);
    expect(wrongPassword.stdout).toBe('');
    expect(wrongPassword.stderr).toMatch(/password/i);
  }, 60_000);

  it('prints its usage with --help and exits 2 on wrong arguments', async () => {
    const cli = async (...argv: string[]) => {
      const io = collectingEnvironment({});
      const code = await runCli(argv, io);
      stderrs.push(io.err());
      return { code, out: io.out(), err: io.err() };
    };
    const help = await cli('credential-process', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: ali-oss-managed-credentials credential-process --secret NAME \[--config FILE\]\n/);
    expect(help.out).toContain('"mode":"StsToken" with "sts_token"');
    expect(help.out).toContain('exit codes:\n  0  the credential was printed');
    expect((await cli('help')).out).toContain('credential-process');

    const noSecret = await cli('credential-process', '--config', config);
    expect(noSecret.code).toBe(2);
    expect(noSecret.out).toBe('');
    expect(noSecret.err).toContain('--secret NAME is required');
    const unknown = await cli('credential-process', '--secret', AK_SECRET, '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: credential-process: Unknown option '--json'\nusage: /);
  });

  it('serves @alicloud/credentials through an External CLI profile, run once per expiration', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.aliyun'), { recursive: true });
    const processCommand = `"${process.execPath}" "${MAIN}" credential-process --secret ${AK_SECRET} --config "${config}"`;
    await writeFile(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify({ current: 'other', profiles: [{ name: 'managed-oss', mode: 'External', process_command: processCommand }, { name: 'other', mode: 'AK' }] }),
    );
    const countBefore = dkms.getSecretValueCount(AK_SECRET);
    // A child process: the package reads HOME and the environment when its providers are built.
    const script = `
      const { createHash } = require('node:crypto');
      const Credential = require('@alicloud/credentials').default;
      (async () => {
        const credential = new Credential();  // the default chain, as a Tea client builds it
        const answers = [];
        for (let i = 0; i < 3; i++) {
          const c = await credential.getCredential();
          answers.push({ id: c.accessKeyId, secret: createHash('sha256').update(c.accessKeySecret).digest('hex'), token: c.securityToken ?? null, provider: c.providerName });
        }
        process.stdout.write(JSON.stringify(answers));
      })().catch((e) => { process.stderr.write(String(e && e.message)); process.exitCode = 1; });`;
    const run = await new Promise<Run>((resolve) => {
      execFile(
        process.execPath,
        ['-e', script],
        { env: cleanEnv({ HOME: home, ALIBABA_CLOUD_PROFILE: 'managed-oss', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }), cwd: fileURLToPath(new URL('../..', import.meta.url)), timeout: 60_000 },
        (error, stdout, stderr) => {
          stderrs.push(stderr);
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
        },
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const answers = JSON.parse(run.stdout) as Array<{ id: string; secret: string; token: string | null; provider: string }>;
    for (const answer of answers) {
      expect(answer).toEqual({ id: AK.accessKeyId, secret: sha256(AK.accessKeySecret), token: null, provider: 'default/cli_profile' });
    }
    // The expiration made the package keep the answer: one run of the command, one KMS call, for three asks.
    expect(dkms.getSecretValueCount(AK_SECRET) - countBefore).toBe(1);
    // What the README warns about: the package writes the key it got back into the profile.
    const saved = JSON.parse(await readFile(join(home, '.aliyun', 'config.json'), 'utf8')) as { profiles: Array<Record<string, unknown>> };
    expect(saved.profiles[0]).toMatchObject({ name: 'managed-oss', access_key_id: AK.accessKeyId, access_key_secret: AK.accessKeySecret });
    expect(saved.profiles[0]!.sts_expiration).toBeGreaterThan(Date.now() / 1000 + 3000);
  }, 60_000);
});
