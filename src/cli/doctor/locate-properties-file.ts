import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_FILE_ENV_VAR, ConfigLoader, DEFAULT_CONFIG_NAME } from '../../config/config-loader.js';

/** The properties file the configuration is read from, and what named it. */
export interface PropertiesFileLocation {
  /** Absolute path. */
  path: string;
  /** What named the file, in words a command-line user knows. */
  chosenBy: 'the --config option' | `the ${typeof CONFIG_FILE_ENV_VAR} environment variable` | 'the program' | 'default';
  /** Whether a file exists at `path` (it may still be unreadable or malformed). */
  exists: boolean;
}

/**
 * Which properties file a load with these inputs reads, following the loader's documented order: the
 * file given for this load (`--config`), the name set in the program (`ConfigLoader.setConfigName`), the
 * `ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE` environment variable, else
 * `managed_credentials_providers.properties` in the working directory.
 *
 * The doctor needs this before loading: when the load fails, the header still names the file it was about.
 */
export function locatePropertiesFile(input: {
  configFile?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}): PropertiesFileLocation {
  const fromOption = input.configFile?.trim();
  const fromProgram = ConfigLoader.getConfigName();
  const fromEnv = input.env[CONFIG_FILE_ENV_VAR]?.trim();
  const [name, chosenBy]: [string, PropertiesFileLocation['chosenBy']] =
    fromOption !== undefined && fromOption !== ''
      ? [fromOption, 'the --config option']
      : fromProgram !== undefined
        ? [fromProgram, 'the program']
        : fromEnv !== undefined && fromEnv !== ''
          ? [fromEnv, `the ${CONFIG_FILE_ENV_VAR} environment variable`]
          : [DEFAULT_CONFIG_NAME, 'default'];
  const path = resolve(input.cwd, name);
  return { path, chosenBy, exists: existsSync(path) };
}
