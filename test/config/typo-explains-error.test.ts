import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader } from '../../src/config/index.js';
import { ConfigTestDir } from './config-test-dir.js';

// A misspelled key or field that explains why loading fails is the error itself, not a warning dropped with
// the configuration (issue 19 #2).
let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterEach(() => dir.remove());

const dkms = (entry: object) => JSON.stringify([{ regionId: 'r', endpoint: 'e.example.com', ...entry }]);

function loadError(file: string, env: Record<string, string> = {}): ConfigError {
  const path = dir.properties(file);
  try {
    ConfigLoader.load({ cwd: dir.path, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    void path;
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('a typo that explains the failure is the error', () => {
  it('cache_client_dkms_config_inf: UnknownKey, not IncompatibleKeys "no KMS configured"', () => {
    const error = loadError(`# KMS\n\ncache_client_dkms_config_inf=${dkms({ clientKeyFile: 'ck.json' })}\n`, { client_key_password: 'pw' });
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('no key `cache_client_dkms_config_inf`: did you mean `cache_client_dkms_config_info`?');
    expect(error).toMatchObject({ key: 'cache_client_dkms_config_inf', file: `${dir.path}/managed_credentials_providers.properties`, line: 3 });
    expect((error.cause as ConfigError).code).toBe('ConfigError.IncompatibleKeys');
  });

  it('clientKeyFiel: UnknownKey naming the field, not MissingKey', () => {
    const error = loadError(`cache_client_dkms_config_info=${dkms({ clientKeyFiel: 'ck.json' })}`, { client_key_password: 'pw' });
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('no field `clientKeyFiel` in cache_client_dkms_config_info[0]: did you mean `clientKeyFile`?');
    expect(error).toMatchObject({ key: 'cache_client_dkms_config_info', index: 0, field: 'clientKeyFiel', line: 1 });
    expect((error.cause as ConfigError).code).toBe('ConfigError.MissingKey');
  });

  it('passwordFromFile: UnknownKey naming the field, not PasswordNotFound', () => {
    dir.write('pw.txt', 'pw');
    const error = loadError(`cache_client_dkms_config_info=${dkms({ clientKeyFile: 'ck.json', passwordFromFile: 'pw.txt' })}`);
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('no field `passwordFromFile` in cache_client_dkms_config_info[0]: did you mean `passwordFromFilePath`?');
    expect((error.cause as ConfigError).code).toBe('ConfigError.PasswordNotFound');
  });

  it('a misspelled top-level password key explains PasswordNotFound', () => {
    dir.write('pw.txt', 'pw');
    const error = loadError(`cache_client_dkms_config_info=${dkms({ clientKeyFile: 'ck.json' })}\nclient_key_password_from_file_pth=pw.txt`);
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('did you mean `client_key_password_from_file_path`?');
    expect(error).toMatchObject({ key: 'client_key_password_from_file_pth', line: 2 });
  });

  it('a misspelled required key of a credentials type explains its MissingKey', () => {
    const error = loadError('cache_client_region_id=[{"regionId":"cn-hangzhou"}]\ncredentials_type=ak\ncredentials_access_key_id=LTAI\ncredentials_acess_secret=s');
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('did you mean `credentials_access_secret`?');
    // The value of a secret key is not in the message.
    expect(error.message).not.toMatch(/=s\b/);
  });

  it('an environment variable in the wrong case explains "no KMS configured"', () => {
    const error = loadError('secret_names=s', { CACHE_CLIENT_REGION_ID: '[{"regionId":"cn-hangzhou"}]' });
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain('CACHE_CLIENT_REGION_ID');
    expect(error.message).toContain('cache_client_region_id');
  });

  it('a typo that does not explain the failure stays a warning, and the real error is reported', () => {
    const error = loadError(`cache_client_dkms_config_info=${dkms({ clientKeyFile: 'missing.json' })}\nrotation_intervall=1000`, { client_key_password: 'pw' });
    expect(error.code).toBe('ConfigError.UnreadableFile');
  });
});
