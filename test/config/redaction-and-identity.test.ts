import { renameSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLoader, configIdentity, type ProviderConfig } from '../../src/config/index.js';
import { acquireDefaultCacheClient } from '../../src/defaults/default-cache-client.js';
import { createTestClientKey } from '../../src/testing/pki/test-client-key.js';
import { ConfigTestDir } from './config-test-dir.js';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterEach(() => dir.remove());

function load(password: string, accessSecret: string, extra: Record<string, unknown> = {}): ProviderConfig {
  return ConfigLoader.load({
    cwd: dir.path,
    env: { client_key_password: password },
    options: {
      cache_client_dkms_config_info: [{ regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json' }],
      cache_client_region_id: [{ regionId: 'cn-hangzhou' }],
      credentials_type: 'ak',
      credentials_access_key_id: 'LTAIvisible',
      credentials_access_secret: accessSecret,
      ...extra,
    },
  });
}

describe('ProviderConfig redaction', () => {
  it('keeps passwords and AccessKey secrets out of JSON.stringify, util.inspect, spread and structuredClone', () => {
    const config = load('pw-Secret-1', 'ak-Secret-2');
    const shown = [
      JSON.stringify(config),
      inspect(config, { depth: null }),
      inspect(config, { depth: null, showHidden: true }),
      JSON.stringify({ ...config.dkmsInstances[0] }),
      JSON.stringify(structuredClone(config)),
    ].join('\n');
    expect(shown).not.toContain('pw-Secret-1');
    expect(shown).not.toContain('ak-Secret-2');
    expect(shown).toContain('LTAIvisible');
    expect(config.dkmsInstances[0]!.password).toBe('pw-Secret-1');
    expect((config.credentials as { accessKeySecret: string }).accessKeySecret).toBe('ak-Secret-2');
  });

  it('is deeply frozen', () => {
    const config = load('pw', 'ak');
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.dkmsInstances[0])).toBe(true);
    expect(Object.isFrozen(config.cache)).toBe(true);
  });
});

describe('configIdentity', () => {
  it('is equal for equal configurations and differs when a secret or a setting differs, without showing secrets', () => {
    const a = configIdentity(load('pw-Secret-1', 'ak-Secret-2'));
    expect(configIdentity(load('pw-Secret-1', 'ak-Secret-2'))).toBe(a);
    expect(configIdentity(load('pw-Secret-X', 'ak-Secret-2'))).not.toBe(a);
    expect(configIdentity(load('pw-Secret-1', 'ak-Secret-X'))).not.toBe(a);
    expect(configIdentity(load('pw-Secret-1', 'ak-Secret-2', { rotation_interval: 7_200_000 }))).not.toBe(a);
    expect(a).toMatch(/^config-[0-9a-f]{32}$/);
  });

  it('ignores where settings came from', () => {
    const fromCode = load('pw', 'ak', { delay_interval: 1000 });
    const fromEnv = ConfigLoader.load({
      cwd: dir.path,
      env: { client_key_password: 'pw', delay_interval: '1000', credentials_access_secret: 'ak' },
      options: {
        cache_client_dkms_config_info: [{ regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json' }],
        cache_client_region_id: [{ regionId: 'cn-hangzhou' }],
        credentials_type: 'ak',
        credentials_access_key_id: 'LTAIvisible',
      },
    });
    expect(fromEnv.origins.delay_interval).toBe('env');
    expect(configIdentity(fromEnv)).toBe(configIdentity(fromCode));
  });
});

describe('configIdentity of files replaced at the same path', () => {
  const ENTRY = { regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json' };
  const loadDkms = (entry: object = ENTRY, extra: Record<string, unknown> = {}) =>
    ConfigLoader.load({
      cwd: dir.path,
      env: { client_key_password: 'pw' },
      options: { cache_client_dkms_config_info: [entry], ...extra },
    });

  it('changes when the ClientKey file is rewritten with another key, and equal content gives an equal identity', () => {
    dir.write('ck.json', '{"KeyId":"KAAP.one","PrivateKeyData":"first"}');
    const before = configIdentity(loadDkms());
    expect(configIdentity(loadDkms())).toBe(before);
    dir.write('ck.json', '{"KeyId":"KAAP.two","PrivateKeyData":"second"}');
    const after = configIdentity(loadDkms());
    expect(after).not.toBe(before);
    expect(after).toMatch(/^config-[0-9a-f]{32}$/);
    dir.write('ck.json', '{"KeyId":"KAAP.one","PrivateKeyData":"first"}'); // same bytes again, new mtime
    expect(configIdentity(loadDkms())).toBe(before);
  });

  it('changes when the file is replaced by a rename (how deploy tools and mounted secrets swap files)', () => {
    dir.write('ck.json', '{"KeyId":"KAAP.one","PrivateKeyData":"first"}');
    const config = loadDkms();
    const before = configIdentity(config);
    writeFileSync(`${dir.path}/ck.json.new`, '{"KeyId":"KAAP.two","PrivateKeyData":"second"}');
    renameSync(`${dir.path}/ck.json.new`, `${dir.path}/ck.json`);
    expect(configIdentity(loadDkms())).not.toBe(before);
    // The identity follows what building a client would read now, even for a config loaded earlier.
    expect(configIdentity(config)).not.toBe(before);
  });

  it('changes when the password file, a CA file or a client_key credential file is replaced', () => {
    dir.write('pw.txt', 'password-one');
    dir.write('ca.pem', 'CA one');
    const withFiles = { ...ENTRY, passwordFromFilePath: 'pw.txt', caFilePath: 'ca.pem' };
    const base = configIdentity(loadDkms(withFiles));
    dir.write('pw.txt', 'password-two');
    const newPassword = configIdentity(loadDkms(withFiles));
    expect(newPassword).not.toBe(base);
    dir.write('ca.pem', 'CA two');
    expect(configIdentity(loadDkms(withFiles))).not.toBe(newPassword);

    dir.write('ram-ck.json', '{"KeyId":"KAAP.ram","PrivateKeyData":"one"}');
    const ram = () =>
      ConfigLoader.load({
        cwd: dir.path,
        env: { client_key_password: 'pw' },
        options: { cache_client_region_id: [{ regionId: 'cn-hangzhou' }], credentials_type: 'client_key', client_key_private_key_path: 'ram-ck.json' },
      });
    const ramBefore = configIdentity(ram());
    dir.write('ram-ck.json', '{"KeyId":"KAAP.ram","PrivateKeyData":"two"}');
    expect(configIdentity(ram())).not.toBe(ramBefore);
  });

  it('gives the next default cache client a new shared client after the ClientKey file is replaced, while the old one is leased', async () => {
    const first = createTestClientKey({ password: 'shared-pw' });
    const second = createTestClientKey({ password: 'shared-pw', keyLabel: 'replacement' });
    // Building a client decrypts the ClientKey, so these are real keys with the configured password.
    const acquire = () => acquireDefaultCacheClient(loadDkms(ENTRY, { client_key_password: 'shared-pw' }));
    dir.write('ck.json', first.clientKeyJson);
    const leases = [acquire()];
    try {
      dir.write('ck.json', second.clientKeyJson);
      leases.push(acquire(), acquire());
      const [old, replaced, again] = leases.map((lease) => lease.client);
      expect(replaced).not.toBe(old); // built from the new ClientKey
      expect(again).toBe(replaced); // same content: shared
    } finally {
      await Promise.all(leases.map((lease) => lease.release()));
    }
  });
});
