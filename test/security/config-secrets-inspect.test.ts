import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigLoader } from '../../src/config/config-loader.js';

// Regression: the resolved configuration held its secrets in own getters, which
// `util.inspect(config, { getters: true })` evaluates and prints.
const PASSWORD = 'ClientKeyPassword-Zx9Cv6Bn3Mq0';
const ACCESS_SECRET = 'KmsReaderSecret-Lp7Ok4Ij1Uh8';
const dir = mkdtempSync(join(tmpdir(), 'config-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolved configuration secrets', () => {
  it('are readable as properties but never printed, whatever the inspect options', () => {
    const passwordFile = join(dir, 'password.txt');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    writeFileSync(join(dir, 'clientKey.json'), '{"KeyId":"KAAP.test","PrivateKeyData":"not-parsed-by-the-config"}');
    const config = ConfigLoader.load({
      cwd: dir,
      env: {},
      options: {
        cache_client_dkms_config_info: JSON.stringify([
          { regionId: 'cn-hangzhou', endpoint: 'kst-hzz1.cryptoservice.kms.aliyuncs.com', clientKeyFile: 'clientKey.json', passwordFromFilePath: passwordFile },
        ]),
        cache_client_region_id: '[{"regionId":"cn-hangzhou"}]',
        credentials_type: 'ak',
        credentials_access_key_id: 'LTAI-reader',
        credentials_access_secret: ACCESS_SECRET,
      } as never,
    });
    expect(config.dkmsInstances[0]?.password).toBe(PASSWORD);
    expect((config.credentials as { accessKeySecret?: string }).accessKeySecret).toBe(ACCESS_SECRET);
    for (const options of [{}, { depth: Infinity, showHidden: true }, { depth: Infinity, showHidden: true, getters: true }]) {
      const text = inspect(config, options);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(ACCESS_SECRET);
    }
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
    expect(JSON.stringify(structuredClone(config))).not.toContain(ACCESS_SECRET);
    expect(inspect({ ...config.dkmsInstances[0] }, { getters: true })).not.toContain(PASSWORD);
  });
});
