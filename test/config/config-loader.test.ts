import { copyFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_ENV_VAR,
  ConfigError,
  ConfigLoader,
  configKeySpec,
  type ProviderConfig,
} from '../../src/config/index.js';
import { DKMS_ENTRY_FIELDS, entryFieldDefault } from '../../src/config/config-keys.js';
import { ConfigTestDir } from './config-test-dir.js';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
});
afterEach(() => {
  ConfigLoader.setConfigName(undefined);
  dir.remove();
});

function catchError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Everything that matters for connecting, secrets included, as plain data. */
function comparable(config: ProviderConfig): unknown {
  return {
    dkms: config.dkmsInstances.map((instance) => ({ ...instance, password: instance.password })),
    regions: config.regions,
    credentials: config.credentials,
    cache: config.cache,
    secretNames: config.secretNames,
  };
}

const REGION = 'cache_client_region_id=[{"regionId":"cn-hangzhou"}]\n';

describe('ConfigLoader: styles of the properties file', () => {
  it('reads a sample in the style of the official README, a Java-style and a Python-style file alike', () => {
    dir.clientKey('keys/clientKey_KAAP.json');
    dir.write('keys/password.txt', 'pw-from-file\n');
    const env = { KMS_PW: 'pw-from-env' };

    const readme = dir.properties(
      [
        '## the type of access credentials',
        'credentials_type=client_key',
        '## the password of client key',
        'client_key_password_from_env_variable=KMS_PW',
        'client_key_password_from_file_path=keys/password.txt',
        '## the private key file path of client key',
        'client_key_private_key_path=keys/clientKey_KAAP.json',
        '## the region related to the kms service',
        'cache_client_region_id=[{"regionId":"cn-hangzhou"},{"regionId":"cn-shanghai","vpc":true}]',
        '## dedicated kms',
        'cache_client_dkms_config_info=[{"regionId":"cn-hangzhou","endpoint":"kst-hzz1.cryptoservice.kms.aliyuncs.com","passwordFromFilePath":"keys/password.txt","clientKeyFile":"keys/clientKey_KAAP.json","ignoreSslCerts":false}]',
        'secret_names=oss-ram-ak',
        'rotation_interval=3600000',
      ].join('\n'),
      'readme.properties',
    );
    const java = dir.properties(
      [
        '! Java style: ! comments, ":" and whitespace separators, continuations, unicode escapes',
        'credentials_type : client_key',
        'client_key_password_from_env_variable   KMS_PW',
        'client_key_password_from_file_path=keys/password.txt',
        'client_key_private_key_path=keys\\/clientKey_KAAP.json',
        'cache_client_region_id=[{"regionId":"cn-hangzhou"},\\',
        '                        {"regionId":"cn\\u002dshanghai","vpc":"true"}]',
        'cache_client_dkms_config_info=[{"regionId":"cn-hangzhou",\\',
        '    "endpoint":"https://kst-hzz1.cryptoservice.kms.aliyuncs.com/",\\',
        '    "passwordFromFilePath":"keys/password.txt",\\',
        '    "clientKeyFile":"keys/clientKey_KAAP.json"}]',
        'secret_names:oss-ram-ak',
        'rotation_interval:3600000',
      ].join('\r\n'),
      'java.properties',
    );
    const python = dir.properties(
      [
        '# Python style: "key = value" with spaces, # comments',
        'credentials_type = client_key',
        'client_key_password_from_env_variable = KMS_PW',
        'client_key_password_from_file_path = keys/password.txt',
        'client_key_private_key_path = keys/clientKey_KAAP.json',
        'cache_client_region_id = [{"regionId": "cn-hangzhou"}, {"regionId": "cn-shanghai", "vpc": true}]',
        'cache_client_dkms_config_info = [{"regionId": "cn-hangzhou", "endpoint": "kst-hzz1.cryptoservice.kms.aliyuncs.com", "passwordFromFilePath": "keys/password.txt", "clientKeyFile": "keys/clientKey_KAAP.json"}]',
        'secret_names = oss-ram-ak, ',
        'rotation_interval = 3600000',
      ].join('\n'),
      'python.properties',
    );

    const [a, b, c] = [readme, java, python].map((file) => ConfigLoader.load({ cwd: dir.path, configName: file, env }));
    expect(comparable(b!)).toEqual(comparable(a!));
    expect(comparable(c!)).toEqual(comparable(a!));
    for (const config of [a!, b!, c!]) expect(config.warnings).toEqual([]);

    expect(a!.dkmsInstances[0]).toMatchObject({
      regionId: 'cn-hangzhou',
      endpoint: 'kst-hzz1.cryptoservice.kms.aliyuncs.com',
      clientKeyFile: join(dir.path, 'keys/clientKey_KAAP.json'),
      ignoreSslCerts: false,
    });
    expect(a!.dkmsInstances[0]!.password).toBe('pw-from-file');
    expect(a!.regions).toEqual([
      { regionId: 'cn-hangzhou', vpc: false },
      { regionId: 'cn-shanghai', vpc: true },
    ]);
    expect(a!.credentials).toMatchObject({ type: 'client_key', privateKeyPath: join(dir.path, 'keys/clientKey_KAAP.json') });
    expect((a!.credentials as { password: string }).password).toBe('pw-from-file');
    expect(a!.cache.rotationIntervalMs).toBe(3_600_000);
    expect(a!.secretNames).toEqual(['oss-ram-ak']);
  });

  it('keeps Windows-style backslashes in JSON: Java escaping, and Python-style text with a warning', () => {
    // On Linux a backslash is an ordinary file-name character, so `ck\json` stands in for a Windows path.
    const keyFile = dir.clientKey('ck\\json');
    const entry = (clientKeyFile: string) =>
      `cache_client_dkms_config_info=[{"regionId":"cn-hangzhou","endpoint":"kst.example.com","clientKeyFile":"${clientKeyFile}"}]`;
    const env = { client_key_password: 'pw' };

    const java = dir.properties(entry('ck\\\\\\\\json'), 'java.properties');
    const fromJava = ConfigLoader.load({ cwd: dir.path, configName: java, env });
    expect(fromJava.dkmsInstances[0]!.clientKeyFile).toBe(keyFile);
    expect(fromJava.warnings).toEqual([]);

    const python = dir.properties(entry('ck\\\\json'), 'python.properties');
    const fromPython = ConfigLoader.load({ cwd: dir.path, configName: python, env });
    expect(fromPython.dkmsInstances[0]!.clientKeyFile).toBe(keyFile);
    expect(fromPython.warnings.map((warning) => warning.code)).toEqual(['PythonStyleEscapes']);
  });

  it('parses the example properties file at the repository root without warnings', () => {
    const fixtures = resolve(import.meta.dirname, '../fixtures/config');
    for (const name of readdirSync(fixtures)) copyFileSync(join(fixtures, name), join(dir.path, name));
    copyFileSync(
      resolve(import.meta.dirname, '../../managed_credentials_providers.properties.example'),
      join(dir.path, 'managed_credentials_providers.properties'),
    );
    const config = ConfigLoader.load({ cwd: dir.path, env: {} });
    expect(config.warnings).toEqual([]);
    expect(config.kmsAgents).toEqual([{ endpoint: '127.0.0.1:2025', tokenFromFilePath: '/var/run/kmstoken', allowNonLoopback: false, readTimeoutMs: 5000 }]);
    expect(config.dkmsInstances).toHaveLength(2);
    expect(config.dkmsInstances[0]!.password).toBe('fixture-client-key-pw');
    expect(config.dkmsInstances[0]).toMatchObject({ connectTimeoutMs: 5000, readTimeoutMs: 10_000 });
    expect(config.dkmsInstances[1]!.passwordSource).toContain('client_key_password_from_file_path');
    // The second entry sets no timeouts: it gets the defaults of the key table's entry fields.
    expect(config.dkmsInstances[1]).toMatchObject({
      connectTimeoutMs: entryFieldDefault(DKMS_ENTRY_FIELDS, 'connectTimeout'),
      readTimeoutMs: entryFieldDefault(DKMS_ENTRY_FIELDS, 'readTimeout'),
    });
    expect(config.regions).toHaveLength(2);
    expect(config.credentials).toEqual({ type: 'ecs_ram_role', roleName: 'oss-reader-role' });
    expect(config.secretNames).toEqual(['oss-ram-ak', 'oss-ram-ak-backup']);
  });
});

describe('ConfigLoader: sources and precedence', () => {
  it('prefers options in code over environment variables over the file, per key, and records origins', () => {
    dir.properties(`${REGION}credentials_type=ecs_ram_role\nrotation_interval=1000000\ndelay_interval=1000\nsecret_names=a`);
    const config = ConfigLoader.load({
      cwd: dir.path,
      env: { rotation_interval: '2000000', delay_interval: '2000', PATH: '/bin' },
      options: { delay_interval: 3000 },
    });
    expect(config.cache.rotationIntervalMs).toBe(2_000_000);
    expect(config.cache.delayIntervalMs).toBe(3000);
    // Not set anywhere: the default budget of one fetch.
    expect(config.cache.fetchTimeoutMs).toBe(30_000);
    expect(config.secretNames).toEqual(['a']);
    expect(config.origins).toMatchObject({
      cache_client_region_id: 'file',
      rotation_interval: 'env',
      delay_interval: 'code',
      secret_names: 'file',
      refresh_backoff_base: 'default',
      fetch_timeout: 'default',
    });
    expect(config.configFile).toBe(join(dir.path, 'managed_credentials_providers.properties'));
  });

  it('warns about environment variables that match a key only case-insensitively, and does not read them', () => {
    dir.properties(`${REGION}secret_names=from-file`);
    const config = ConfigLoader.load({
      cwd: dir.path,
      env: { SECRET_NAMES: 'upper-case', Rotation_Interval: '1', PATH: '/bin', SECRET_NAME: 'not a key' },
    });
    expect(config.secretNames).toEqual(['from-file']);
    expect(config.cache.rotationIntervalMs).toBe(configKeySpec('rotation_interval')?.defaultValue);
    const nearMisses = config.warnings.filter((warning) => warning.code === 'EnvKeyCase');
    expect(nearMisses.map((warning) => warning.key).sort()).toEqual(['rotation_interval', 'secret_names']);
    expect(nearMisses.find((warning) => warning.key === 'secret_names')?.message).toMatch(/SECRET_NAMES .*secret_names/);
    expect(JSON.stringify(config.warnings)).not.toContain('upper-case');
  });

  it('names the near-miss environment variable when nothing else configures the library', () => {
    expect(() => ConfigLoader.load({ cwd: dir.path, env: { CACHE_CLIENT_DKMS_CONFIG_INFO: '[]' } })).toThrow(
      expect.objectContaining({ code: 'ConfigError.FileNotFound', message: expect.stringContaining('CACHE_CLIENT_DKMS_CONFIG_INFO is ignored') }),
    );
  });

  it('reads fetch_timeout (ms) from any source, its bounds included', () => {
    dir.properties(`${REGION}fetch_timeout=5000`);
    expect(ConfigLoader.load({ cwd: dir.path, env: {} }).cache.fetchTimeoutMs).toBe(5000);
    const fromEnv = ConfigLoader.load({ cwd: dir.path, env: { fetch_timeout: '1000' } });
    expect(fromEnv.cache.fetchTimeoutMs).toBe(1000);
    expect(fromEnv.origins['fetch_timeout']).toBe('env');
    expect(ConfigLoader.load({ cwd: dir.path, env: {}, options: { fetch_timeout: 600_000 } }).cache.fetchTimeoutMs).toBe(600_000);
  });

  it('replaces a JSON array from a lower source instead of merging, and accepts arrays of objects in code', () => {
    dir.properties('cache_client_region_id=[{"regionId":"cn-hangzhou"},{"regionId":"cn-beijing"}]');
    const fromEnv = ConfigLoader.load({ cwd: dir.path, env: { cache_client_region_id: '[{"regionId":"eu-central-1"}]' } });
    expect(fromEnv.regions.map((region) => region.regionId)).toEqual(['eu-central-1']);
    const fromCode = ConfigLoader.load({
      cwd: dir.path,
      env: {},
      options: { cache_client_region_id: [{ regionId: 'ap-southeast-1', endpoint: 'kms.example.com:8443' }] },
    });
    expect(fromCode.regions).toEqual([{ regionId: 'ap-southeast-1', endpoint: 'kms.example.com:8443', vpc: false }]);
  });

  it('works from the environment alone when the default file is absent', () => {
    const config = ConfigLoader.load({ cwd: dir.path, env: { cache_client_region_id: '[{"regionId":"cn-hangzhou"}]' } });
    expect(config.configFile).toBeUndefined();
    expect(config.credentials).toEqual({ type: 'default' });
  });

  it('resolves relative paths against the file folder for file values and against cwd for env and code', () => {
    const sub = dir.path + '/conf';
    dir.clientKey('conf/ck.json');
    dir.clientKey('ck-cwd.json');
    const file = dir.properties(
      'cache_client_dkms_config_info=[{"regionId":"r1","endpoint":"e1.example.com","clientKeyFile":"ck.json"}]',
      'conf/app.properties',
    );
    const env = { client_key_password: 'pw', [CONFIG_FILE_ENV_VAR]: 'conf/app.properties' };
    expect(ConfigLoader.load({ cwd: dir.path, env }).dkmsInstances[0]!.clientKeyFile).toBe(join(sub, 'ck.json'));
    const fromCode = ConfigLoader.load({
      cwd: dir.path,
      env,
      options: { cache_client_dkms_config_info: [{ regionId: 'r1', endpoint: 'e1.example.com', clientKeyFile: 'ck-cwd.json' }] },
    });
    expect(fromCode.dkmsInstances[0]!.clientKeyFile).toBe(join(dir.path, 'ck-cwd.json'));
    expect(fromCode.configFile).toBe(file);
  });
});

describe('ConfigLoader: choosing the file', () => {
  it('uses setConfigName (relative to cwd or absolute) over the environment variable', () => {
    dir.properties(REGION.replace('cn-hangzhou', 'from-set'), 'a.properties');
    dir.properties(REGION.replace('cn-hangzhou', 'from-env'), 'b.properties');
    const env = { [CONFIG_FILE_ENV_VAR]: 'b.properties' };
    expect(ConfigLoader.load({ cwd: dir.path, env }).regions[0]!.regionId).toBe('from-env');
    ConfigLoader.setConfigName('a.properties');
    expect(ConfigLoader.getConfigName()).toBe('a.properties');
    expect(ConfigLoader.load({ cwd: dir.path, env }).regions[0]!.regionId).toBe('from-set');
    ConfigLoader.setConfigName(join(dir.path, 'b.properties'));
    expect(ConfigLoader.load({ cwd: '/', env: {} }).regions[0]!.regionId).toBe('from-env');
  });

  it('says which file was looked for and how to point at another when there is no configuration', () => {
    const error = catchError(() => ConfigLoader.load({ cwd: dir.path, env: {} }));
    expect(error.code).toBe('ConfigError.FileNotFound');
    expect(error.file).toBe(join(dir.path, 'managed_credentials_providers.properties'));
    expect(error.message).toContain(join(dir.path, 'managed_credentials_providers.properties'));
    expect(error.message).toContain('ConfigLoader.setConfigName');
    expect(error.message).toContain(CONFIG_FILE_ENV_VAR);
  });

  it('fails for a named file that does not exist even when env provides settings', () => {
    ConfigLoader.setConfigName('missing.properties');
    const error = catchError(() =>
      ConfigLoader.load({ cwd: dir.path, env: { cache_client_region_id: '[{"regionId":"cn-hangzhou"}]' } }),
    );
    expect(error.code).toBe('ConfigError.FileNotFound');
    expect(error.message).toContain('ConfigLoader.setConfigName()');
    expect(error.message).toContain(join(dir.path, 'missing.properties'));
  });

  it('reports a folder given as the file as unreadable', () => {
    dir.write('folder.properties/x', '');
    const error = catchError(() => ConfigLoader.load({ cwd: dir.path, configName: 'folder.properties', env: {} }));
    expect(error.code).toBe('ConfigError.UnreadableFile');
  });

  it('rejects an empty config name', () => {
    expect(catchError(() => ConfigLoader.setConfigName(' ')).code).toBe('ConfigError.InvalidValue');
  });
});

describe('ConfigLoader: warnings', () => {
  it('names unknown keys with a did-you-mean, in the file and in code', () => {
    dir.properties(`${REGION}rotation_intervall=1000\nsome_other_key=1`);
    const config = ConfigLoader.load({ cwd: dir.path, env: {}, options: { secret_name: 'x' } as never });
    const messages = config.warnings.map((warning) => warning.message);
    expect(messages).toEqual([
      expect.stringMatching(/unknown key "rotation_intervall" in .* line 2; did you mean "rotation_interval"\?/),
      expect.stringMatching(/unknown key "some_other_key" in .* line 3$/),
      expect.stringMatching(/unknown key "secret_name" in the options; did you mean "secret_names"\?/),
    ]);
    expect(config.cache.rotationIntervalMs).toBe(21_600_000);
  });

  it('does not echo a stray line that does not look like a key (it may be a pasted password)', () => {
    dir.properties(`${REGION}Hunter2Secret`);
    const config = ConfigLoader.load({ cwd: dir.path, env: {} });
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]!.message).toContain('line 2');
    expect(JSON.stringify(config)).not.toContain('Hunter2Secret');
  });

  it('warns about repeated keys, ignored keys, unknown and ignored JSON fields, and ignoreSslCerts', () => {
    dir.clientKey('ck.json');
    dir.properties(
      [
        REGION.trim(),
        'rotation_interval=1000',
        'rotation_interval=2000',
        'monitor_period_milliseconds=1800000',
        'client_key_password=in-the-file',
        'cache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json","ignoreSslCerts":true,"endpont":"x","password":"p"}]',
      ].join('\n'),
    );
    const config = ConfigLoader.load({ cwd: dir.path, env: { client_key_password: 'pw' } });
    expect(config.warnings.map((warning) => [warning.code, warning.key, warning.index])).toEqual([
      ['DuplicateKey', 'rotation_interval', undefined],
      ['IgnoredKey', 'client_key_password', undefined],
      ['IgnoredKey', 'monitor_period_milliseconds', undefined],
      ['UnknownField', 'cache_client_dkms_config_info', 0],
      ['IgnoredField', 'cache_client_dkms_config_info', 0],
      ['InsecureTls', 'cache_client_dkms_config_info', 0],
    ]);
    expect(config.warnings[3]!.message).toContain('did you mean "endpoint"?');
    expect(config.dkmsInstances[0]!.password).toBe('pw');
    expect(config.cache.rotationIntervalMs).toBe(2000);
  });

  it('warns about credentials keys the chosen type does not use, or that have no regions to serve', () => {
    dir.clientKey('ck.json');
    dir.properties(`${REGION}credentials_type=ecs_ram_role\ncredentials_access_key_id=LTAI\n`);
    const warnings = ConfigLoader.load({ cwd: dir.path, env: {} }).warnings;
    expect(warnings.map((warning) => [warning.code, warning.key])).toEqual([['IgnoredKey', 'credentials_access_key_id']]);

    const dkmsOnly = ConfigLoader.load({
      cwd: dir.path,
      configName: dir.properties(
        'credentials_type=ak\ncache_client_dkms_config_info=[{"regionId":"r","endpoint":"e.example.com","clientKeyFile":"ck.json"}]',
        'dkms.properties',
      ),
      env: { client_key_password: 'pw' },
    });
    expect(dkmsOnly.credentials).toBeUndefined();
    expect(dkmsOnly.warnings.map((warning) => [warning.code, warning.key])).toEqual([['IgnoredKey', 'credentials_type']]);
  });
});
