import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader, type ConfigOptions } from '../../src/config/index.js';
import { ConfigTestDir } from './config-test-dir.js';

// A password pasted by mistake into a setting that names a file, a variable or a property: the error names
// the setting, never its value (not in the message, the stack, the error's fields, or inspect output).
const PASSWORD = 'Pa55/w0rd-Kq2+Zx9';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterEach(() => dir.remove());

const dkms = (entry: object) => JSON.stringify([{ regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json', ...entry }]);

interface Case {
  name: string;
  file?: string;
  env?: Record<string, string>;
  options?: ConfigOptions;
  /** What the message must name. */
  names: string;
  code: string;
}

const cases: Case[] = [
  { name: 'passwordFromFilePath (file)', file: `cache_client_dkms_config_info=${dkms({ passwordFromFilePath: PASSWORD })}`, names: 'cache_client_dkms_config_info[0].passwordFromFilePath', code: 'UnreadableFile' },
  { name: 'passwordFromFilePath (code)', options: { cache_client_dkms_config_info: dkms({ passwordFromFilePath: PASSWORD }) }, names: 'cache_client_dkms_config_info[0].passwordFromFilePath', code: 'UnreadableFile' },
  { name: 'passwordFromEnvVariable', file: `cache_client_dkms_config_info=${dkms({ passwordFromEnvVariable: PASSWORD })}`, names: 'cache_client_dkms_config_info[0].passwordFromEnvVariable', code: 'InvalidValue' },
  { name: 'passwordFromFilePathName', file: `cache_client_dkms_config_info=${dkms({ passwordFromFilePathName: PASSWORD })}`, names: 'cache_client_dkms_config_info[0].passwordFromFilePathName', code: 'MissingKey' },
  {
    name: 'the property named by passwordFromFilePathName',
    file: `cache_client_dkms_config_info=${dkms({ passwordFromFilePathName: 'my_password_file' })}\nmy_password_file=${PASSWORD}`,
    names: 'my_password_file',
    code: 'UnreadableFile',
  },
  { name: 'client_key_password_from_file_path (file)', file: `cache_client_dkms_config_info=${dkms({})}\nclient_key_password_from_file_path=${PASSWORD}`, names: 'client_key_password_from_file_path', code: 'UnreadableFile' },
  { name: 'client_key_password_from_file_path (env)', file: `cache_client_dkms_config_info=${dkms({})}`, env: { client_key_password_from_file_path: PASSWORD }, names: 'client_key_password_from_file_path', code: 'UnreadableFile' },
  { name: 'client_key_password_from_env_variable', file: `cache_client_dkms_config_info=${dkms({})}\nclient_key_password_from_env_variable=${PASSWORD}`, names: 'client_key_password_from_env_variable', code: 'InvalidValue' },
  {
    name: 'client_key_password_from_file_path with credentials_type=client_key',
    file: `cache_client_region_id=[{"regionId":"cn-hangzhou"}]\ncredentials_type=client_key\nclient_key_private_key_path=ck.json\nclient_key_password_from_file_path=${PASSWORD}`,
    names: 'client_key_password_from_file_path',
    code: 'UnreadableFile',
  },
];

function loadError(testCase: Case): ConfigError {
  const configName = testCase.file === undefined ? undefined : dir.properties(testCase.file, 'case.properties');
  try {
    ConfigLoader.load({
      cwd: dir.path,
      env: testCase.env ?? {},
      ...(configName === undefined ? {} : { configName }),
      ...(testCase.options === undefined ? {} : { options: testCase.options }),
    });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('an error about a password setting names the key, never its value', () => {
  it.each(cases)('$name', (testCase) => {
    const error = loadError(testCase);
    expect(error.code).toBe(`ConfigError.${testCase.code}`);
    expect(error.message).toContain(testCase.names);
    const everything = [error.message, error.stack, inspect(error, { showHidden: true, depth: Infinity }), JSON.stringify(error)].join('\n');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('a password file that exists but is empty is still named by its path (a path that exists is not a password)', () => {
    const path = dir.write('empty-pw.txt', '\n');
    const error = loadError({ name: 'empty', file: `cache_client_dkms_config_info=${dkms({ passwordFromFilePath: 'empty-pw.txt' })}`, names: '', code: 'PasswordNotFound' });
    expect(error.message).toContain(path);
  });
});
