import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ConfigLoader, type ConfigOptions } from '../../src/config/index.js';
import { secretSourceFromConfig } from '../../src/kms/secret-source-from-config.js';
import { ConfigTestDir } from './config-test-dir.js';

// cache_client_kms_agent_config_info: the KMS Agent entries, from the properties file or from code.
const KEY = 'cache_client_kms_agent_config_info';
const TOKEN = 'pasted-agent-token-Zx9Qw7-not-to-be-echoed';
let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
});
afterEach(() => dir.remove());

function loadFile(lines: string[]) {
  return ConfigLoader.load({ cwd: dir.path, env: {}, configName: dir.properties(lines.join('\n'), 'agent.properties') });
}

function loadOptions(options: ConfigOptions) {
  return ConfigLoader.load({ cwd: dir.path, env: {}, options });
}

function failure(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toContain(TOKEN);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe(`${KEY}`, () => {
  it('is enough on its own: the agent is the only source, with the default endpoint and token order', () => {
    const config = loadFile([`${KEY}=[{}]`]);
    expect(config.kmsAgents).toEqual([{ endpoint: '127.0.0.1:2025', allowNonLoopback: false, readTimeoutMs: 5000 }]);
    expect(config.dkmsInstances).toEqual([]);
    expect(config.origins[KEY]).toBe('file');
  });

  it('reads tokenFromFilePath (relative to the file) or tokenFromEnvVariable, and the same key in code', () => {
    const tokenFile = dir.write('run/kmstoken', 'x');
    const fromFile = loadFile([`${KEY}=[{"endpoint":"http://127.0.0.1:3025","tokenFromFilePath":"run/kmstoken","readTimeout":800}]`]);
    expect(fromFile.kmsAgents).toEqual([{ endpoint: '127.0.0.1:3025', tokenFromFilePath: tokenFile, allowNonLoopback: false, readTimeoutMs: 800 }]);
    const inCode = loadOptions({ [KEY]: [{ endpoint: 'localhost:2025', tokenFromEnvVariable: 'KMS_TOKEN' }] });
    expect(inCode.kmsAgents).toEqual([{ endpoint: 'localhost:2025', tokenFromEnvVariable: 'KMS_TOKEN', allowNonLoopback: false, readTimeoutMs: 5000 }]);
    expect(inCode.origins[KEY]).toBe('code');
  });

  it('puts the agents first in the failover group, ahead of the instances and regions of the same configuration', async () => {
    const config = loadOptions({ [KEY]: [{}], cache_client_region_id: [{ regionId: 'cn-hangzhou' }] });
    const source = secretSourceFromConfig(config);
    expect(source.description).toBe('failover(kms-agent(127.0.0.1:2025), openapi(kms.cn-hangzhou.aliyuncs.com))');
    await source.close?.();
  });

  it('refuses a non-loopback endpoint unless allowNonLoopback, naming the file and line', () => {
    const error = failure(() => loadFile(['# agent on another host', `${KEY}=[{"endpoint":"10.0.0.5:2025"}]`]));
    expect(error).toMatchObject({ code: 'ConfigError.InvalidValue', key: KEY, index: 0, field: 'endpoint', line: 2 });
    expect(error.file).toContain('agent.properties');
    expect(error.message).toContain('not a loopback address');
    const allowed = loadFile([`${KEY}=[{"endpoint":"10.0.0.5:2025","allowNonLoopback":true}]`]);
    expect(allowed.kmsAgents[0]).toMatchObject({ endpoint: '10.0.0.5:2025', allowNonLoopback: true });
    expect(allowed.warnings).toEqual([expect.objectContaining({ code: 'InsecureTransport', key: KEY, index: 0 })]);
  });

  it.each([
    { name: 'an https endpoint', entry: { endpoint: 'https://127.0.0.1:2025' }, code: 'InvalidValue', field: 'endpoint' },
    { name: 'an endpoint with a path', entry: { endpoint: '127.0.0.1:2025/v1' }, code: 'InvalidValue', field: 'endpoint' },
    { name: 'both token settings', entry: { tokenFromFilePath: '/a', tokenFromEnvVariable: 'B' }, code: 'IncompatibleKeys', field: 'tokenFromEnvVariable' },
    { name: 'a token pasted where the variable NAME belongs', entry: { tokenFromEnvVariable: TOKEN }, code: 'InvalidValue', field: 'tokenFromEnvVariable' },
    { name: 'a tokenFromFilePath that is not a string', entry: { tokenFromFilePath: 42 }, code: 'InvalidValue', field: 'tokenFromFilePath' },
    { name: 'allowNonLoopback that is not a boolean', entry: { allowNonLoopback: 'yes' }, code: 'InvalidValue', field: 'allowNonLoopback' },
    { name: 'a readTimeout of 0', entry: { readTimeout: 0 }, code: 'InvalidValue', field: 'readTimeout' },
  ])('rejects $name with ConfigError.$code naming the field, never echoing a token', ({ entry, code, field }) => {
    const error = failure(() => loadOptions({ [KEY]: [{}, entry] }));
    expect(error).toMatchObject({ code: `ConfigError.${code}`, key: KEY, index: 1, field });
    expect(error.message).toContain(`${KEY}[1]`);
  });

  it('rejects a key that is not an array of objects', () => {
    expect(failure(() => loadFile([`${KEY}={"endpoint":"127.0.0.1:2025"}`]))).toMatchObject({ code: 'ConfigError.MalformedJson', key: KEY });
    expect(failure(() => loadFile([`${KEY}=["127.0.0.1:2025"]`]))).toMatchObject({ code: 'ConfigError.MalformedJson', key: KEY, index: 0 });
  });

  it('accepts a token file that does not exist yet (the agent may write it later) and warns about a misspelled field', () => {
    const config = loadOptions({ [KEY]: [{ tokenFromFilePath: 'missing-token', tokenFromFilepath: 'x' }] });
    expect(config.kmsAgents[0]?.tokenFromFilePath).toBe(`${dir.path}/missing-token`);
    expect(config.warnings).toEqual([expect.objectContaining({ code: 'UnknownField', field: 'tokenFromFilepath', suggestion: 'tokenFromFilePath' })]);
  });

  it('explains a misspelled key that leaves no KMS configured', () => {
    const error = failure(() => loadFile(['cache_client_kms_agent_config=[{}]']));
    expect(error.code).toBe('ConfigError.UnknownKey');
    expect(error.message).toContain(KEY);
  });
});
