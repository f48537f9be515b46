import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigLoader } from '../../src/config/index.js';
import { ConfigTestDir } from './config-test-dir.js';

// Files in the shape of the official Python and Go providers' README samples: the DKMS entry names the
// property holding the password file (`passwordFromFilePathName`), and Go names the CA file `caCert`.
const PASSWORD = 'sample-client-key-password';
let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
});
afterEach(() => dir.remove());

function entry(fields: Record<string, unknown>): string {
  return JSON.stringify([{ regionId: 'cn-hangzhou', endpoint: 'kst-hzz0000000000000000.cryptoservice.kms.aliyuncs.com', clientKeyFile: dir.clientKey(), ...fields }]);
}

describe('properties files written for the official providers', () => {
  it('Python sample: passwordFromFilePathName names client_key_password_from_file_path, which holds the file path', () => {
    dir.write('secrets/clientKey_Password.txt', `${PASSWORD}\n`);
    dir.properties(
      [
        `cache_client_dkms_config_info=${entry({ passwordFromFilePathName: 'client_key_password_from_file_path', ignoreSslCerts: false, caFilePath: dir.write('ca.pem', 'pem') })}`,
        'client_key_password_from_file_path=secrets/clientKey_Password.txt',
      ].join('\n'),
    );
    const config = ConfigLoader.load({ cwd: dir.path, env: {} });
    expect(config.dkmsInstances[0]!.password).toBe(PASSWORD);
    expect(config.dkmsInstances[0]!.passwordSource).toContain('named by passwordFromFilePathName');
    expect(config.warnings).toEqual([]);
  });

  it('passwordFromFilePathName may name a property that is not a configuration key; it is then not reported as unknown', () => {
    const passwordFile = dir.write('pw.txt', PASSWORD);
    dir.properties([`cache_client_dkms_config_info=${entry({ passwordFromFilePathName: 'my_dkms_password_file' })}`, `my_dkms_password_file=${passwordFile}`].join('\n'));
    const config = ConfigLoader.load({ cwd: dir.path, env: {} });
    expect(config.dkmsInstances[0]!.password).toBe(PASSWORD);
    expect(config.warnings).toEqual([]);
  });

  it('reads the named property from the environment too (code > env > file applies to it)', () => {
    const passwordFile = dir.write('env-pw.txt', PASSWORD);
    dir.write('file-pw.txt', 'the file one');
    dir.properties([`cache_client_dkms_config_info=${entry({ passwordFromFilePathName: 'client_key_password_from_file_path' })}`, 'client_key_password_from_file_path=file-pw.txt'].join('\n'));
    const config = ConfigLoader.load({ cwd: dir.path, env: { client_key_password_from_file_path: passwordFile } });
    expect(config.dkmsInstances[0]!.password).toBe(PASSWORD);
  });

  it('Go sample: caCert is the CA file path, relative to the properties file', () => {
    const ca = dir.write('conf/PrivateKmsCA.pem', 'pem');
    dir.write('conf/pw.txt', PASSWORD);
    dir.properties(`cache_client_dkms_config_info=${entry({ passwordFromFilePath: 'pw.txt', caCert: 'PrivateKmsCA.pem' })}`, 'conf/go.properties');
    const config = ConfigLoader.load({ cwd: dir.path, env: {}, configName: 'conf/go.properties' });
    expect(config.dkmsInstances[0]!.caFilePath).toBe(ca);
    expect(config.warnings).toEqual([]);
  });

  it('accepts caCert and caFilePath together when they name the same file', () => {
    const ca = dir.write('ca.pem', 'pem');
    const config = ConfigLoader.load({
      cwd: dir.path,
      env: { client_key_password: PASSWORD },
      options: { cache_client_dkms_config_info: JSON.parse(entry({ caCert: ca, caFilePath: 'ca.pem' })) as object[] },
    });
    expect(config.dkmsInstances[0]!.caFilePath).toBe(ca);
  });
});

describe('wrong values in those fields', () => {
  const load = (fields: Record<string, unknown>, extra = '') => {
    dir.properties(`cache_client_dkms_config_info=${entry(fields)}\n${extra}`);
    return () => ConfigLoader.load({ cwd: dir.path, env: {} });
  };
  const at = (field: string) => ({ name: 'ConfigError', key: 'cache_client_dkms_config_info', index: 0, field });

  it('passwordFromFilePathName naming an unset property: MissingKey naming the field and the property', () => {
    expect(load({ passwordFromFilePathName: 'client_key_password_from_file_path' })).toThrow(
      expect.objectContaining({ ...at('passwordFromFilePathName'), code: 'ConfigError.MissingKey', message: expect.stringContaining('"client_key_password_from_file_path"') }),
    );
  });

  it('the named property pointing at a missing file: UnreadableFile naming the field and the property, not the value', () => {
    // The value of a password setting is never echoed (it may be the password itself), also not as `file`.
    const missing = `${dir.path}/nowhere/pw.txt`;
    let error: unknown;
    try {
      load({ passwordFromFilePathName: 'client_key_password_from_file_path' }, `client_key_password_from_file_path=${missing}`)();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ ...at('passwordFromFilePathName'), code: 'ConfigError.UnreadableFile' });
    expect((error as Error).message).toContain('client_key_password_from_file_path (named by cache_client_dkms_config_info[0].passwordFromFilePathName)');
    expect((error as Error).message).not.toContain(missing);
    expect((error as { file?: string }).file).not.toBe(missing);
  });

  it('an empty password file: PasswordNotFound naming the file, never a password', () => {
    const empty = dir.write('empty.txt', '\n');
    expect(load({ passwordFromFilePathName: 'pw_path' }, `pw_path=${empty}`)).toThrow(
      expect.objectContaining({ ...at('passwordFromFilePathName'), code: 'ConfigError.PasswordNotFound', file: empty }),
    );
  });

  it('passwordFromFilePathName of the wrong type: InvalidValue', () => {
    expect(load({ passwordFromFilePathName: 42 })).toThrow(expect.objectContaining({ ...at('passwordFromFilePathName'), code: 'ConfigError.InvalidValue' }));
  });

  it('caCert naming a missing file: UnreadableFile naming the field and the file', () => {
    dir.write('pw.txt', PASSWORD);
    expect(load({ passwordFromFilePath: 'pw.txt', caCert: 'missing-ca.pem' })).toThrow(
      expect.objectContaining({ ...at('caCert'), code: 'ConfigError.UnreadableFile', file: `${dir.path}/missing-ca.pem` }),
    );
  });

  it('caCert holding PEM text: InvalidValue telling to use a file, without echoing the PEM', () => {
    dir.write('pw.txt', PASSWORD);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBsecretish\n-----END CERTIFICATE-----';
    let error: unknown;
    try {
      load({ passwordFromFilePath: 'pw.txt', caCert: pem })();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ ...at('caCert'), code: 'ConfigError.InvalidValue' });
    expect((error as Error).message).not.toContain('MIIB');
  });

  it('caCert and caFilePath naming different files: IncompatibleKeys', () => {
    dir.write('pw.txt', PASSWORD);
    dir.write('a.pem', 'a');
    dir.write('b.pem', 'b');
    expect(load({ passwordFromFilePath: 'pw.txt', caCert: 'a.pem', caFilePath: 'b.pem' })).toThrow(
      expect.objectContaining({ ...at('caCert'), code: 'ConfigError.IncompatibleKeys' }),
    );
  });
});
