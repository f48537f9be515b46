import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader } from '../../src/config/index.js';
import { ConfigTestDir } from './config-test-dir.js';

// ConfigError.file and .line name the place of a value read from the properties file (issue 19 #3), and the
// bad value is echoed unless the setting is a secret.
let dir: ConfigTestDir;
let file: string;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterEach(() => dir.remove());

const HEADER = '# managed credentials\n\n! a comment\n'; // three lines before the key
const region = '[{"regionId":"cn-hangzhou"}]';

function loadError(body: string, env: Record<string, string> = {}): ConfigError {
  file = dir.properties(HEADER + body);
  try {
    ConfigLoader.load({ cwd: dir.path, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('file and line on errors about a value from the file', () => {
  it.each([
    ['MissingKey (a field)', 'cache_client_dkms_config_info=[{"regionId":"r","endpoint":"","clientKeyFile":"ck.json"}]', 'ConfigError.MissingKey'],
    ['MalformedJson', 'cache_client_dkms_config_info=[{"regionId":', 'ConfigError.MalformedJson'],
    ['InvalidValue', `cache_client_region_id=${region}\nrotation_interval=6h`, 'ConfigError.InvalidValue'],
    ['InvalidValue (a field)', 'cache_client_region_id=[{"regionId":"a","vpc":"yes"}]', 'ConfigError.InvalidValue'],
    ['PasswordNotFound', 'cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json"}]', 'ConfigError.PasswordNotFound'],
  ])('%s', (_name, body, code) => {
    const error = loadError(body);
    expect(error.code).toBe(code);
    const line = 4 + body.split('\n').length - 1;
    expect({ file: error.file, line: error.line }).toEqual({ file, line });
    expect(error.message).toContain(`${file} line ${line}`);
  });

  it('a continued line: the line where the key starts', () => {
    const error = loadError('cache_client_dkms_config_info=[{"regionId":"r",\\\n    "endpoint":"e.example.com/x","clientKeyFile":"ck.json"}]');
    expect(error).toMatchObject({ code: 'ConfigError.InvalidValue', field: 'endpoint', file, line: 4 });
  });

  it('a malformed escape names its line', () => {
    const error = loadError('secret_names=a\\uZZZZ');
    expect(error).toMatchObject({ code: 'ConfigError.MalformedProperties', file, line: 4 });
  });

  it('the same key from the environment: no file, no line', () => {
    dir.properties('');
    let error: unknown;
    try {
      ConfigLoader.load({ cwd: dir.path, env: { cache_client_region_id: region, rotation_interval: '6h' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ConfigError.InvalidValue', key: 'rotation_interval' });
    expect((error as ConfigError).line).toBeUndefined();
  });
});

describe('the bad value, unless it is a secret', () => {
  it('rotation_interval=6h says what it got', () => {
    expect(loadError(`cache_client_region_id=${region}\nrotation_interval=6h`).message).toContain('got "6h"');
  });

  it('an endpoint, a region id, a boolean and credentials_type are echoed', () => {
    expect(loadError('cache_client_region_id=[{"regionId":"a","vpc":"yes"}]').message).toContain('got "yes"');
    expect(loadError('cache_client_region_id=[{"regionId":"a b"}]').message).toContain('got "a b"');
    expect(loadError('cache_client_region_id=[{"regionId":"a","endpoint":"http://kms.example.com"}]').message).toContain('got "http://kms.example.com"');
    expect(loadError(`cache_client_region_id=${region}\ncredentials_type=akk`).message).toContain('got "akk"');
  });

  it('a long value is cut short', () => {
    const long = `kms.example.com/${'x'.repeat(200)}`;
    const message = loadError(`cache_client_region_id=[{"regionId":"a","endpoint":"${long}"}]`).message;
    expect(message).toContain('got "kms.example.com/xxx');
    expect(message).not.toContain(long);
  });

  it.each(['credentials_access_secret', 'credentials_access_token', 'client_key_password'])('%s of the wrong type (from code) is not echoed', (key) => {
    dir.properties('');
    let error: unknown;
    try {
      ConfigLoader.load({ cwd: dir.path, env: {}, options: { cache_client_region_id: region, [key]: 987654321 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ConfigError.InvalidValue', key });
    expect((error as Error).message).not.toContain('987654321');
  });

  it('passwordFromEnvVariable and client_key_password_from_env_variable holding a password: not echoed', () => {
    const message = loadError('cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json","passwordFromEnvVariable":"p@ss word!"}]').message;
    expect(message).not.toContain('p@ss');
    const top = loadError('cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json"}]\nclient_key_password_from_env_variable=p@ss word!').message;
    expect(top).not.toContain('p@ss');
  });
});

describe('client_key_password in the properties file', () => {
  it('is warned about by name, with what to use instead', () => {
    dir.write('pw.txt', 'pw');
    file = dir.properties('cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json","passwordFromFilePath":"pw.txt"}]\nclient_key_password=in-the-file');
    const warning = ConfigLoader.load({ cwd: dir.path, env: {} }).warnings.find((w) => w.key === 'client_key_password');
    expect(warning?.message).toContain(`client_key_password in ${file} line 2 is ignored`);
    expect(warning?.message).toContain('client_key_password_from_file_path');
    expect(warning?.message).not.toContain('in-the-file');
  });

  it('when no password is found otherwise, the error says the file one is not read, and why', () => {
    const error = loadError('cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json"}]\nclient_key_password=in-the-file');
    expect(error.code).toBe('ConfigError.PasswordNotFound');
    expect(error.message).toContain(`client_key_password is set in ${file} line 5`);
    expect(error.message).toContain('client_key_password_from_file_path');
    expect(error.message).not.toContain('in-the-file');
  });
});

describe('a value that does not look like one of its kind is not echoed (a secret in the wrong place)', () => {
  it('a password pasted into rotation_interval, a boolean, an endpoint', () => {
    const pasted = 'Pa55w0rd-Qz5Xw8Ec1Rv4';
    expect(loadError(`cache_client_region_id=${region}\nrotation_interval=${pasted}`).message).not.toContain(pasted);
    expect(loadError(`cache_client_region_id=[{"regionId":"a","vpc":"${pasted}!"}]`).message).not.toContain(pasted);
    expect(loadError(`cache_client_region_id=[{"regionId":"a","endpoint":"${pasted}+/="}]`).message).not.toContain(pasted);
    expect(loadError(`cache_client_region_id=${region}\nrotation_interval=${pasted}`).message).toContain('does not look like a number');
  });
});
