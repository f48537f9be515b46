import { truncateSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader } from '../../src/config/index.js';
import { MAX_PASSWORD_FILE_BYTES } from '../../src/config/resolve-client-key-password.js';
import { ConfigTestDir } from './config-test-dir.js';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
  dir.write('entry-pw.txt', '  entry-file-pw \r\n');
  dir.write('top-pw.txt', 'top-file-pw\n');
});
afterEach(() => dir.remove());

function load(entry: object, topLevel: string, env: Record<string, string>) {
  const json = JSON.stringify([{ regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json', ...entry }]);
  dir.properties(`cache_client_dkms_config_info=${json}\n${topLevel}`);
  const instance = ConfigLoader.load({ cwd: dir.path, env }).dkmsInstances[0]!;
  return { password: instance.password, source: instance.passwordSource };
}

const allEnv = { ENTRY_PW: 'entry-env-pw', TOP_PW: 'top-env-pw', client_key_password: 'generic-pw' };
const allTop = 'client_key_password_from_file_path=top-pw.txt\nclient_key_password_from_env_variable=TOP_PW';
const allEntry = { passwordFromFilePath: 'entry-pw.txt', passwordFromEnvVariable: 'ENTRY_PW' };

describe('ClientKey password resolution for a DKMS entry', () => {
  it('prefers the entry passwordFromFilePath, trimmed', () => {
    expect(load(allEntry, allTop, allEnv)).toEqual({
      password: 'entry-file-pw',
      source: `passwordFromFilePath (${dir.path}/entry-pw.txt)`,
    });
  });

  it('then reads the env var NAMED by passwordFromEnvVariable (the documented meaning)', () => {
    expect(load({ passwordFromEnvVariable: 'ENTRY_PW' }, allTop, allEnv)).toEqual({
      password: 'entry-env-pw',
      source: 'env ENTRY_PW (passwordFromEnvVariable)',
    });
  });

  it('then falls back to client_key_password_from_file_path, then the variable named by client_key_password_from_env_variable', () => {
    const { ENTRY_PW: _unset, ...env } = allEnv;
    expect(load({ passwordFromEnvVariable: 'ENTRY_PW' }, allTop, env).password).toBe('top-file-pw');
    expect(load({}, 'client_key_password_from_env_variable=TOP_PW', env)).toEqual({
      password: 'top-env-pw',
      source: 'env TOP_PW (client_key_password_from_env_variable)',
    });
  });

  it('finally uses the client_key_password environment variable', () => {
    expect(load({ passwordFromEnvVariable: 'ENTRY_PW' }, 'client_key_password_from_env_variable=TOP_PW', { client_key_password: 'generic-pw' })).toEqual({
      password: 'generic-pw',
      source: 'env client_key_password',
    });
  });

  it('lists every place tried when none has a password, without values', () => {
    let caught: unknown;
    try {
      load({ passwordFromEnvVariable: 'ENTRY_PW' }, 'client_key_password_from_env_variable=TOP_PW', { OTHER: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error).toMatchObject({ code: 'ConfigError.PasswordNotFound', key: 'cache_client_dkms_config_info', index: 0 });
    expect(error.message).toContain(
      'tried: env ENTRY_PW (passwordFromEnvVariable), env TOP_PW (client_key_password_from_env_variable), env client_key_password',
    );
  });

  it('does not show a mixed-case "variable name" (it may be a misplaced password) in the error', () => {
    let caught: unknown;
    try {
      load({ passwordFromEnvVariable: 'MyS3cretPassw0rd' }, '', {});
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).code).toBe('ConfigError.PasswordNotFound');
    expect((caught as ConfigError).message).not.toContain('MyS3cretPassw0rd');
  });

  it('treats an empty password file as an error naming the file', () => {
    dir.write('empty.txt', ' \n');
    expect(() => load({ passwordFromFilePath: 'empty.txt' }, '', allEnv)).toThrow(
      expect.objectContaining({ code: 'ConfigError.PasswordNotFound', file: `${dir.path}/empty.txt` }),
    );
  });

  describe('password file size limit (64 KiB, never read past it)', () => {
    const catchError = (action: () => unknown): ConfigError => {
      try {
        action();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };

    it('refuses a 65 KiB file with FileTooLarge naming the key and the file, not the content', () => {
      const path = dir.write('big-pw.txt', 'Q'.repeat(65 * 1024));
      const error = catchError(() => load({ passwordFromFilePath: 'big-pw.txt' }, '', allEnv));
      expect(error).toMatchObject({
        code: 'ConfigError.FileTooLarge',
        key: 'cache_client_dkms_config_info',
        index: 0,
        field: 'passwordFromFilePath',
        file: path,
      });
      expect(error.message).toContain('cache_client_dkms_config_info[0].passwordFromFilePath');
      expect(error.message).toContain(path);
      expect(error.message).not.toContain('QQQQ');
    });

    it('accepts a file of exactly 64 KiB', () => {
      dir.write('limit-pw.txt', 'p'.repeat(MAX_PASSWORD_FILE_BYTES));
      expect(MAX_PASSWORD_FILE_BYTES).toBe(64 * 1024);
      const { password } = load({ passwordFromFilePath: 'limit-pw.txt' }, '', allEnv);
      expect(password).toBe('p'.repeat(64 * 1024));
    });

    it('refuses a 50 MB (sparse) file from client_key_password_from_file_path without reading it', () => {
      const path = dir.write('huge-pw.txt', '');
      truncateSync(path, 50 * 1024 * 1024);
      const error = catchError(() => load({}, 'client_key_password_from_file_path=huge-pw.txt', allEnv));
      expect(error).toMatchObject({ code: 'ConfigError.FileTooLarge', key: 'client_key_password_from_file_path', file: path });
    });
  });

  it('takes client_key_password from code options over the environment', () => {
    dir.properties(`cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json"}]`);
    const config = ConfigLoader.load({ cwd: dir.path, env: allEnv, options: { client_key_password: 'code-pw' } });
    expect(config.dkmsInstances[0]!.password).toBe('code-pw');
    expect(config.origins.client_key_password).toBe('code');
  });
});

describe('ClientKey password for credentials_type=client_key', () => {
  it('uses the top-level keys and client_key_password', () => {
    const config = ConfigLoader.load({
      cwd: dir.path,
      env: { TOP_PW: 'top-env-pw' },
      options: {
        cache_client_region_id: '[{"regionId":"cn-hangzhou"}]',
        credentials_type: 'client_key',
        client_key_private_key_path: 'ck.json',
        client_key_password_from_env_variable: 'TOP_PW',
      },
    });
    expect(config.credentials).toEqual({
      type: 'client_key',
      privateKeyPath: `${dir.path}/ck.json`,
      passwordSource: 'env TOP_PW (client_key_password_from_env_variable)',
    });
    expect((config.credentials as { password: string }).password).toBe('top-env-pw');
  });
});
