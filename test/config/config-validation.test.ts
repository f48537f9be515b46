import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader, type ConfigOptions } from '../../src/config/index.js';
import { ConfigTestDir } from './config-test-dir.js';

const execFileAsync = promisify(execFile);

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  dir.clientKey('ck.json');
});
afterEach(() => dir.remove());

const SECRET = 'Zx9-not-to-be-echoed-Qw7';
const ENV_PASSWORD = 'env-password-Kq2';
const dkms = (entry: object) => JSON.stringify([{ regionId: 'r', endpoint: 'e.example.com', clientKeyFile: 'ck.json', ...entry }]);
const region = '[{"regionId":"cn-hangzhou"}]';

interface Case {
  name: string;
  file?: string;
  options?: ConfigOptions;
  env?: Record<string, string>;
  code: string;
  key: string;
  index?: number;
  field?: string;
}

const cases: Case[] = [
  { name: 'malformed JSON', file: 'cache_client_dkms_config_info=[{"regionId":', code: 'MalformedJson', key: 'cache_client_dkms_config_info' },
  { name: 'JSON that is not an array', file: 'cache_client_region_id={"regionId":"x"}', code: 'MalformedJson', key: 'cache_client_region_id' },
  { name: 'an array entry that is not an object', file: 'cache_client_region_id=[{"regionId":"a"},"b"]', code: 'MalformedJson', key: 'cache_client_region_id', index: 1 },
  { name: 'a missing regionId', options: { cache_client_region_id: [{ regionId: 'a' }, { vpc: true }] }, code: 'MissingKey', key: 'cache_client_region_id', index: 1, field: 'regionId' },
  { name: 'a missing endpoint', file: `cache_client_dkms_config_info=${dkms({ endpoint: '' })}`, code: 'MissingKey', key: 'cache_client_dkms_config_info', index: 0, field: 'endpoint' },
  { name: 'a missing clientKeyFile', options: { cache_client_dkms_config_info: [{ regionId: 'r', endpoint: 'e.example.com' }] }, code: 'MissingKey', key: 'cache_client_dkms_config_info', index: 0, field: 'clientKeyFile' },
  { name: 'a clientKeyFile that does not exist', file: `cache_client_dkms_config_info=${dkms({ clientKeyFile: 'nope.json' })}`, code: 'UnreadableFile', key: 'cache_client_dkms_config_info', index: 0, field: 'clientKeyFile' },
  { name: 'a caFilePath that does not exist', file: `cache_client_region_id=[{"regionId":"a","caFilePath":"ca.pem"}]`, code: 'UnreadableFile', key: 'cache_client_region_id', index: 0, field: 'caFilePath' },
  { name: 'an endpoint with a path', file: `cache_client_dkms_config_info=${dkms({ endpoint: 'https://e.example.com/x' })}`, code: 'InvalidValue', key: 'cache_client_dkms_config_info', index: 0, field: 'endpoint' },
  { name: 'an http endpoint', options: { cache_client_region_id: [{ regionId: 'a', endpoint: 'http://kms.example.com' }] }, code: 'InvalidValue', key: 'cache_client_region_id', index: 0, field: 'endpoint' },
  { name: 'a regionId of the wrong type', options: { cache_client_region_id: [{ regionId: 42 }] }, code: 'InvalidValue', key: 'cache_client_region_id', index: 0, field: 'regionId' },
  { name: 'a vpc that is not a boolean', file: 'cache_client_region_id=[{"regionId":"a","vpc":"yes"}]', code: 'InvalidValue', key: 'cache_client_region_id', index: 0, field: 'vpc' },
  { name: 'ignoreSslCerts that is not a boolean', file: `cache_client_dkms_config_info=${dkms({ ignoreSslCerts: 1 })}`, code: 'InvalidValue', key: 'cache_client_dkms_config_info', index: 0, field: 'ignoreSslCerts' },
  { name: 'a negative readTimeout', file: `cache_client_dkms_config_info=${dkms({ readTimeout: -5 })}`, code: 'InvalidValue', key: 'cache_client_dkms_config_info', index: 0, field: 'readTimeout' },
  { name: 'a fractional connectTimeout', file: `cache_client_dkms_config_info=${dkms({ connectTimeout: 1.5 })}`, code: 'InvalidValue', key: 'cache_client_dkms_config_info', index: 0, field: 'connectTimeout' },
  { name: 'a password put where the env var NAME belongs', file: `cache_client_dkms_config_info=${dkms({ passwordFromEnvVariable: `${SECRET}!` })}`, code: 'InvalidValue', key: 'cache_client_dkms_config_info', index: 0, field: 'passwordFromEnvVariable' },
  { name: 'a missing password file', file: `cache_client_dkms_config_info=${dkms({ passwordFromFilePath: 'pw.txt' })}`, code: 'UnreadableFile', key: 'cache_client_dkms_config_info', index: 0, field: 'passwordFromFilePath' },
  { name: 'no KMS at all', file: 'credentials_type=ak', code: 'IncompatibleKeys', key: 'cache_client_dkms_config_info' },
  { name: 'empty arrays only', options: { cache_client_region_id: [], cache_client_dkms_config_info: '[]' }, code: 'IncompatibleKeys', key: 'cache_client_dkms_config_info' },
  { name: 'an unknown credentials_type', file: `cache_client_region_id=${region}\ncredentials_type=static`, code: 'UnknownCredentialsType', key: 'credentials_type' },
  { name: 'an inline # comment (Python style) in credentials_type', file: `cache_client_region_id=${region}\ncredentials_type=ak # static key`, code: 'UnknownCredentialsType', key: 'credentials_type' },
  { name: 'ak without its secret', file: `cache_client_region_id=${region}\ncredentials_type=ak\ncredentials_access_key_id=LTAI`, code: 'MissingKey', key: 'credentials_access_secret' },
  { name: 'sts without a role ARN', options: { cache_client_region_id: region, credentials_type: 'sts', credentials_access_key_id: 'LTAI', credentials_access_secret: SECRET, credentials_role_session_name: 's' }, code: 'MissingKey', key: 'credentials_role_arn' },
  { name: 'client_key without a key file', file: `cache_client_region_id=${region}\ncredentials_type=client_key`, code: 'MissingKey', key: 'client_key_private_key_path' },
  { name: 'client_key with a missing key file', file: `cache_client_region_id=${region}\ncredentials_type=client_key\nclient_key_private_key_path=missing.json`, code: 'UnreadableFile', key: 'client_key_private_key_path' },
  { name: 'a duration with a unit', file: `cache_client_region_id=${region}\nrotation_interval=6h`, code: 'InvalidValue', key: 'rotation_interval' },
  { name: 'a negative duration from env', file: `cache_client_region_id=${region}`, env: { delay_interval: '-1' }, code: 'InvalidValue', key: 'delay_interval' },
  { name: 'a duration below the minimum', options: { cache_client_region_id: region, rotation_interval: 10 }, code: 'InvalidValue', key: 'rotation_interval' },
  { name: 'an unsafe integer', options: { cache_client_region_id: region, max_staleness: 2 ** 60 }, code: 'InvalidValue', key: 'max_staleness' },
  { name: 'a fetch_timeout below its minimum', options: { cache_client_region_id: region, fetch_timeout: 999 }, code: 'InvalidValue', key: 'fetch_timeout' },
  { name: 'a fetch_timeout above its maximum', file: `cache_client_region_id=${region}\nfetch_timeout=600001`, code: 'InvalidValue', key: 'fetch_timeout' },
  { name: 'a fetch_timeout with a unit', file: `cache_client_region_id=${region}`, env: { fetch_timeout: '30s' }, code: 'InvalidValue', key: 'fetch_timeout' },
  { name: 'a fractional fetch_timeout', options: { cache_client_region_id: region, fetch_timeout: 1500.5 }, code: 'InvalidValue', key: 'fetch_timeout' },
  { name: 'a backoff cap below the base', options: { cache_client_region_id: region, refresh_backoff_base: 5000, refresh_backoff_cap: 1000 }, code: 'InvalidValue', key: 'refresh_backoff_cap' },
  { name: 'secret_names of the wrong type', options: { cache_client_region_id: region, secret_names: 5 }, code: 'InvalidValue', key: 'secret_names' },
  { name: 'a JSON key of the wrong type in code', options: { cache_client_region_id: true }, code: 'MalformedJson', key: 'cache_client_region_id' },
  { name: 'an env var name with a dash', options: { cache_client_region_id: region, client_key_password_from_env_variable: 'MY-PW' }, env: {}, code: 'InvalidValue', key: 'client_key_password_from_env_variable' },
];

describe('ConfigLoader validation', () => {
  it.each(cases)('rejects $name with $code naming the key', (testCase) => {
    const configName = testCase.file === undefined ? undefined : dir.properties(testCase.file, 'case.properties');
    let caught: unknown;
    try {
      ConfigLoader.load({
        cwd: dir.path,
        env: { client_key_password: ENV_PASSWORD, ...testCase.env },
        ...(configName === undefined ? {} : { configName }),
        ...(testCase.options === undefined ? {} : { options: testCase.options }),
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.code).toBe(`ConfigError.${testCase.code}`);
    expect(error.key).toBe(testCase.key);
    expect(error.index).toBe(testCase.index);
    expect(error.field).toBe(testCase.field);
    const where = testCase.index === undefined ? testCase.key : `${testCase.key}[${testCase.index}]`;
    expect(error.message).toContain(where);
    if (testCase.field !== undefined) expect(error.message).toContain(`${where}.${testCase.field}`);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(ENV_PASSWORD);
  });

  it('says which bound of fetch_timeout was crossed, in ms', () => {
    const load = (fetch_timeout: number) => () => ConfigLoader.load({ cwd: dir.path, env: {}, options: { cache_client_region_id: region, fetch_timeout } });
    expect(load(999)).toThrow('fetch_timeout must be at least 1000 of ms');
    expect(load(600_001)).toThrow('fetch_timeout must be at most 600000 of ms');
  });

  it('rejects options that are not an object', () => {
    expect(() => ConfigLoader.load({ cwd: dir.path, env: {}, options: 'x' as never })).toThrow(ConfigError);
  });

  it('reports an unreadable clientKeyFile (permissions), also when the tests run as root', async () => {
    const file = dir.clientKey('locked.json');
    chmodSync(file, 0o000);
    chmodSync(dir.path, 0o755);
    const options = { cache_client_dkms_config_info: dkms({ clientKeyFile: 'locked.json' }) };
    if (process.getuid?.() !== 0) {
      expect(() => ConfigLoader.load({ cwd: dir.path, env: { client_key_password: 'pw' }, options })).toThrow(
        expect.objectContaining({ code: 'ConfigError.UnreadableFile', field: 'clientKeyFile', file }),
      );
      return;
    }
    // Root reads a mode-000 file: the loader must accept it (no false UnreadableFile) ...
    expect(ConfigLoader.load({ cwd: dir.path, env: { client_key_password: 'pw' }, options }).dkmsInstances[0]!.clientKeyFile).toBe(file);
    // ... and the permission check itself runs in a child that drops to an unprivileged user.
    expect(await loadAsUnprivilegedUser(dir.path, options)).toEqual({ code: 'ConfigError.UnreadableFile', field: 'clientKeyFile', file });
  });
});

/**
 * Loads the configuration in a child process that starts as root, loads the modules and a readable
 * configuration (so nothing is left to load), then drops to uid/gid 65534 (nobody) and loads `options`:
 * the error's code, field and file, as JSON.
 */
async function loadAsUnprivilegedUser(cwd: string, options: ConfigOptions): Promise<unknown> {
  const script = join(cwd, 'load-as-nobody.mts');
  writeFileSync(
    script,
    [
      `import { ConfigLoader } from ${JSON.stringify(fileURLToPath(new URL('../../src/config/index.js', import.meta.url)).replace(/\.js$/, '.ts'))};`,
      `const cwd = ${JSON.stringify(cwd)};`,
      "ConfigLoader.load({ cwd, env: { client_key_password: 'pw' }, options: { cache_client_region_id: '[{\"regionId\":\"cn-hangzhou\"}]' } });",
      'process.setgid(65534);',
      'process.setuid(65534);',
      'try {',
      `  ConfigLoader.load({ cwd, env: { client_key_password: 'pw' }, options: ${JSON.stringify(options)} });`,
      "  console.log(JSON.stringify({ loaded: true }));",
      '} catch (error) {',
      '  console.log(JSON.stringify({ code: error.code, field: error.field, file: error.file }));',
      '}',
    ].join('\n'),
  );
  // Run from the repository, where `--import tsx` resolves.
  const repository = fileURLToPath(new URL('../..', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', script], { cwd: repository, env: { PATH: process.env['PATH'] ?? '' } });
  return JSON.parse(stdout.trim()) as unknown;
}

describe('ConfigLoader accepted forms', () => {
  it('accepts booleans and integers as strings, strips https:// from endpoints, and builds every credentials type', () => {
    dir.write('token', 'oidc-token');
    const base = { cache_client_region_id: '[{"regionId":"cn-hangzhou","vpc":"TRUE","endpoint":"https://Kms.Example.com:8443/"}]' };
    const load = (options: ConfigOptions) => ConfigLoader.load({ cwd: dir.path, env: {}, options: { ...base, ...options } });

    expect(load({}).regions[0]).toEqual({ regionId: 'cn-hangzhou', endpoint: 'kms.example.com:8443', vpc: true });
    expect(load({}).warnings.map((warning) => warning.code)).toEqual(['IgnoredField']);

    const ak = load({ credentials_type: 'AK', credentials_access_key_id: 'LTAI', credentials_access_secret: 'S' }).credentials;
    expect(ak).toEqual({ type: 'ak', accessKeyId: 'LTAI' });
    expect((ak as { accessKeySecret: string }).accessKeySecret).toBe('S');

    const token = load({ credentials_type: 'token', credentials_access_token_id: 'LTAT', credentials_access_token: 'T' }).credentials;
    expect(token).toEqual({ type: 'ak', accessKeyId: 'LTAT' });
    expect((token as { accessKeySecret: string }).accessKeySecret).toBe('T');

    const sts = load({
      credentials_type: 'ram_role',
      credentials_access_key_id: 'LTAI',
      credentials_access_secret: 'S',
      credentials_role_arn: 'acs:ram::1:role/r',
      credentials_role_session_name: 's',
      credentials_duration_seconds: '3600',
      credentials_policy: '{"Version":"1"}',
    }).credentials;
    expect(sts).toEqual({
      type: 'ram_role',
      accessKeyId: 'LTAI',
      roleArn: 'acs:ram::1:role/r',
      roleSessionName: 's',
      durationSeconds: 3600,
      policy: '{"Version":"1"}',
    });

    expect(load({ credentials_type: 'ecs_ram_role' }).credentials).toEqual({ type: 'ecs_ram_role' });
    expect(
      load({
        credentials_type: 'oidc_role_arn',
        credentials_role_arn: 'acs:ram::1:role/r',
        credentials_oidc_provider_arn: 'acs:ram::1:oidc-provider/p',
        credentials_oidc_token_file_path: 'token',
        credentials_sts_region_id: 'cn-hangzhou',
      }).credentials,
    ).toEqual({
      type: 'oidc_role_arn',
      roleArn: 'acs:ram::1:role/r',
      oidcProviderArn: 'acs:ram::1:oidc-provider/p',
      oidcTokenFilePath: `${dir.path}/token`,
      stsRegionId: 'cn-hangzhou',
    });
  });

  it('accepts secret_names as an array and de-duplicates them', () => {
    const config = ConfigLoader.load({
      cwd: dir.path,
      env: {},
      options: { cache_client_region_id: region, secret_names: ['a', ' b ', 'a', ''] },
    });
    expect(config.secretNames).toEqual(['a', 'b']);
  });
});
