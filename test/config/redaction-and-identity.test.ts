import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLoader, configIdentity, type ProviderConfig } from '../../src/config/index.js';
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
