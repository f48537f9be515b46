import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/doctor/doctor-report.js';
import { runCli } from '../../src/cli/run-cli.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { collectingEnvironment } from './cli-test-io.js';
import { createDoctorFixture, type DoctorFixture } from './doctor-fixture.js';

// The configuration part of doctor: a header naming the file whatever broke, "valid" only once every
// ClientKey opened, and messages in command-line words (no API names).
const SECRET = 'oss-doctor-ak';
const KEY = { accessKeyId: 'LTAI5tDoctorKey1', accessKeySecret: 'doctor-secret-value-never-printed' };
/** Words of the library API that mean nothing to a command-line user. */
const API_JARGON = /load\(|configName|setConfigName|ConfigLoader|\(\{|options in code/;

let dkms: LocalDkms;
let dir: string;
let fixture: DoctorFixture;

beforeAll(async () => {
  dkms = await LocalDkms.start();
  dkms.setRamCredential(SECRET, KEY);
  dir = await mkdtemp(join(tmpdir(), 'doctor-config-test-'));
  fixture = await createDoctorFixture(dir, dkms);
});

afterAll(async () => {
  await dkms.close();
  await rm(dir, { recursive: true, force: true });
  fixture.expectNoSecretPrinted([KEY.accessKeySecret, dkms.clientKey.password]);
});

describe('doctor: the configuration', () => {
  it('names a properties file with malformed JSON in the header, and says how to fix it (exit 2)', async () => {
    const file = join(dir, 'malformed-json.properties');
    await writeFile(file, `cache_client_dkms_config_info=[{"regionId": "cn-hangzhou",\nsecret_names=${SECRET}\n`);
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).toContain(`configuration: ${file} (named by the --config option)\n`);
    expect(out).not.toContain('no properties file');
    expect(out).toContain('FAIL configuration\n');
    expect(out).toContain('ConfigError.MalformedJson: cache_client_dkms_config_info is not valid JSON');
    expect(out).toContain(`next step: Fix cache_client_dkms_config_info in ${file} line 1 as the message says`);
    expect(out).not.toContain('loaded and valid');
  });

  it('names a properties file that is not valid properties text in the header and in --json (exit 2)', async () => {
    const file = join(dir, 'malformed-escape.properties');
    await writeFile(file, 'secret_names=a\\uZZZZ\n');
    const text = await fixture.doctor('--config', file);
    expect(text.code).toBe(2);
    expect(text.out).toContain(`configuration: ${file} (named by the --config option)\n`);
    expect(text.out).toContain(`next step: Fix the line of ${file} the message names.`);
    const json = await fixture.doctor('--config', file, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      exitCode: 2,
      configFile: file,
      configFileNamedBy: 'the --config option',
      configFileFound: true,
      configProblem: { code: 'ConfigError.MalformedProperties' },
    });
  });

  it('names a missing --config file in command-line words, without API names (exit 2)', async () => {
    const missing = join(dir, 'missing.properties');
    const { code, out } = await fixture.doctor('--config', missing);
    expect(code).toBe(2);
    expect(out).toContain(`configuration: ${missing} (named by the --config option; not found)\n`);
    expect(out).toContain(`ConfigError.FileNotFound: properties file ${missing} (named by the --config option) does not exist`);
    expect(out).toContain('next step: Check the file name given by the --config option');
    expect(out).not.toMatch(API_JARGON);
  });

  it('without any configuration, names the default file and the ways to give one, without API names (exit 2)', async () => {
    const empty = join(dir, 'empty-cwd');
    await mkdir(empty, { recursive: true });
    const io = { ...collectingEnvironment({}), cwd: empty };
    const code = await runCli(['doctor'], io);
    expect(code).toBe(2);
    const defaultFile = join(empty, 'managed_credentials_providers.properties');
    expect(io.out()).toContain(`configuration: ${defaultFile} (not found)\n`);
    expect(io.out()).toContain(`no configuration: ${defaultFile} does not exist and no configuration key is set in the environment`);
    expect(io.out()).toContain('pass --config FILE, or name the file in ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE');
    expect(io.out()).not.toMatch(API_JARGON);
  });

  it('says which environment variable names the file, and "environment variables only" when there is none', async () => {
    const file = await fixture.properties('from-env.properties');
    const named = { ...collectingEnvironment({ ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE: file }), cwd: dir };
    expect(await runCli(['doctor'], named)).toBe(0);
    expect(named.out()).toContain(`configuration: ${file} (named by the ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE environment variable)\n`);

    const empty = join(dir, 'env-only-cwd');
    await mkdir(empty, { recursive: true });
    const files = await dkms.writeClientFiles(dir);
    const entry = { regionId: 'cn-hangzhou', endpoint: dkms.endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: files.passwordFile, caFilePath: files.caFile };
    const envOnly = {
      ...collectingEnvironment({ cache_client_dkms_config_info: JSON.stringify([entry]), secret_names: SECRET }),
      cwd: empty,
    };
    expect(await runCli(['doctor'], envOnly)).toBe(0);
    expect(envOnly.out()).toContain(`configuration: environment variables only (no ${join(empty, 'managed_credentials_providers.properties')})\n`);
    expect(envOnly.out()).toMatch(/cache_client_dkms_config_info\s+1 KMS instance\s+env/);

    // Still "environment variables only" when what fails comes after loading (here: no secret to fetch).
    const noSecret = { ...collectingEnvironment({ cache_client_dkms_config_info: JSON.stringify([entry]) }), cwd: empty };
    expect(await runCli(['doctor'], noSecret)).toBe(2);
    expect(noSecret.out()).toContain('configuration: environment variables only (no ');
    expect(noSecret.out()).toContain('Doctor.NoSecretName');
  });

  it('points at the environment variable when the bad value comes from there', async () => {
    const file = await fixture.properties('good-but-overridden.properties');
    const io = { ...collectingEnvironment({ rotation_interval: 'soon' }), cwd: dir };
    expect(await runCli(['doctor', '--config', file], io)).toBe(2);
    expect(io.out()).toContain('next step: Fix rotation_interval (set in the environment) as the message says');
  });

  it('fails the configuration, not "loaded and valid", when a ClientKey password is wrong; that instance is not asked (exit 2)', async () => {
    await writeFile(join(dir, 'wrong_Password.txt'), 'not-the-password\n');
    const file = await fixture.properties('wrong-password.properties', { passwordFromFilePath: join(dir, 'wrong_Password.txt') });
    const before = dkms.getSecretValueCount();
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).not.toContain('loaded and valid');
    expect(out).toMatch(
      /FAIL configuration: KMS instance \[0\] cannot be used\n {8}ConfigError\.WrongPassword: .*\n {8}next step: The password does not open .*password file downloaded with this ClientKey/,
    );
    expect(out).toContain(`skip dkms(${dkms.endpoint}, cn-hangzhou): not asked, its ClientKey cannot be used`);
    expect(dkms.getSecretValueCount()).toBe(before);

    const json = JSON.parse((await fixture.doctor('--config', file, '--json')).out) as DoctorReport;
    expect(json.dkmsInstances[0]!.problem).toMatchObject({ code: 'ConfigError.WrongPassword' });
    expect(json.sources[0]).toMatchObject({ ok: false, skipped: expect.stringContaining('ClientKey') });
  });

  it('says "loaded and valid" once the ClientKey opened', async () => {
    const { code, out } = await fixture.doctor('--config', await fixture.properties('good.properties'));
    expect(code).toBe(0);
    expect(out).toContain('ok   configuration loaded and valid, ClientKey opened\n');
  });
});
