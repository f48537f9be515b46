import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locatePropertiesFile } from '../../src/cli/doctor/locate-properties-file.js';
import { CONFIG_FILE_ENV_VAR, ConfigLoader } from '../../src/config/config-loader.js';
import { ConfigTestDir } from '../config/config-test-dir.js';

// The doctor names the file before loading it; it must be the file the loader then reads, in every case of
// the lookup order (--config, setConfigName, the environment variable, the default name).
const ENTRY = '[{"regionId":"cn-hangzhou"}]';

let dir: ConfigTestDir;
beforeEach(() => {
  dir = new ConfigTestDir();
  for (const name of ['option.properties', 'program.properties', 'env.properties', 'managed_credentials_providers.properties']) {
    dir.write(name, `cache_client_region_id=${ENTRY}\n`);
  }
});
afterEach(() => {
  ConfigLoader.setConfigName(undefined);
  dir.remove();
});

describe('locatePropertiesFile', () => {
  it.each([
    ['the --config option', { configFile: 'option.properties', program: 'program.properties', envFile: 'env.properties' }, 'option.properties'],
    ['the program', { program: 'program.properties', envFile: 'env.properties' }, 'program.properties'],
    [`the ${CONFIG_FILE_ENV_VAR} environment variable`, { envFile: 'env.properties' }, 'env.properties'],
    ['the --config option', { configFile: ' option.properties ', envFile: ' ' }, 'option.properties'],
    ['default', { configFile: '  ', envFile: '' }, 'managed_credentials_providers.properties'],
  ] as const)('names what the loader reads: %s', (chosenBy, input, expected) => {
    const { configFile, program, envFile } = input as { configFile?: string; program?: string; envFile?: string };
    if (program !== undefined) ConfigLoader.setConfigName(program);
    const env = envFile === undefined ? {} : { [CONFIG_FILE_ENV_VAR]: envFile };
    const located = locatePropertiesFile({ configFile, env, cwd: dir.path });
    const loaded = ConfigLoader.load({ ...(configFile === undefined ? {} : { configName: configFile }), env, cwd: dir.path });
    expect(located).toEqual({ path: loaded.configFile, chosenBy, exists: true });
    expect(loaded.configFile).toBe(join(dir.path, expected));
  });
});
