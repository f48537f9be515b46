import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { createDoctorFixture, type DoctorFixture } from './doctor-fixture.js';

// doctor names the mistake: a typo that explains the failure, where a key is (file and line) or is missing
// from; ignored keys shown as ignored.
const SECRET = 'oss-doctor-ak';
const KEY = { accessKeyId: 'LTAI5tDoctorNames1', accessKeySecret: 'doctor-names-secret-never-printed' };

let dkms: LocalDkms;
let dir: string;
let fixture: DoctorFixture;

beforeAll(async () => {
  dkms = await LocalDkms.start();
  dkms.setRamCredential(SECRET, KEY);
  dir = await mkdtemp(join(tmpdir(), 'doctor-names-test-'));
  fixture = await createDoctorFixture(dir, dkms);
});

afterAll(async () => {
  await dkms.close();
  await rm(dir, { recursive: true, force: true });
  fixture.expectNoSecretPrinted([KEY.accessKeySecret, dkms.clientKey.password]);
});

describe('doctor: names in the configuration', () => {
  it('a misspelled cache_client_dkms_config_info: the typo is the problem, with its line and the rename as next step', async () => {
    const good = await fixture.properties('typo-source.properties');
    const { readFile } = await import('node:fs/promises');
    const file = join(dir, 'typo.properties');
    await writeFile(file, `# app\n${(await readFile(good, 'utf8')).replace('cache_client_dkms_config_info=', 'cache_client_dkms_config_inf=')}`);
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).toContain('ConfigError.UnknownKey: no key `cache_client_dkms_config_inf`: did you mean `cache_client_dkms_config_info`?');
    expect(out).toContain(`next step: Rename cache_client_dkms_config_inf to cache_client_dkms_config_info in ${file} line 2.`);
    expect(out).not.toContain('Fix cache_client_dkms_config_info');
  });

  it('a misspelled entry field: the rename of the field', async () => {
    const file = await fixture.properties('field-typo.properties', { clientKeyFile: undefined, clientKeyFiel: 'ck.json' });
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).toContain('no field `clientKeyFiel` in cache_client_dkms_config_info[0]: did you mean `clientKeyFile`?');
    expect(out).toContain(`next step: Rename clientKeyFiel to clientKeyFile in cache_client_dkms_config_info[0] (${file} line 1).`);
  });

  it('a key that is missing, not wrong, is to be added, not "fixed in" a file that does not have it', async () => {
    const file = join(dir, 'no-kms.properties');
    await writeFile(file, `secret_names=${SECRET}\n`);
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).toContain('ConfigError.IncompatibleKeys: no KMS configured');
    expect(out).not.toContain(`Fix cache_client_dkms_config_info in ${file}`);
    expect(out).toContain(`next step: Add cache_client_dkms_config_info (or cache_client_region_id) to ${file}`);
  });

  it('a bad value in the file: fix it at its line', async () => {
    const file = join(dir, 'bad-value.properties');
    const good = await fixture.properties('bad-value-source.properties');
    const { readFile } = await import('node:fs/promises');
    await writeFile(file, `${await readFile(good, 'utf8')}rotation_interval=6h\n`);
    const { code, out } = await fixture.doctor('--config', file);
    expect(code).toBe(2);
    expect(out).toContain('rotation_interval must be a whole number of ms, got "6h"');
    expect(out).toContain(`next step: Fix rotation_interval in ${file} line 3 as the message says`);
  });
});
