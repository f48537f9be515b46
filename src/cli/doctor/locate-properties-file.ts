import { existsSync } from 'node:fs';
import { CONFIG_FILE_ENV_VAR, resolveConfigFilePath, type ConfigFileChooser } from '../../config/config-loader.js';

/** The properties file the configuration is read from, and what named it. */
export interface PropertiesFileLocation {
  /** Absolute path. */
  path: string;
  /** What named the file, in words a command-line user knows. */
  chosenBy: 'the --config option' | `the ${typeof CONFIG_FILE_ENV_VAR} environment variable` | 'the program' | 'default';
  /** Whether a file exists at `path` (it may still be unreadable or malformed). */
  exists: boolean;
}

/** The loader's reasons in words a command-line user knows (`load`'s `configName` is the `--config` option). */
const CHOSEN_BY_ON_THE_COMMAND_LINE: Readonly<Record<ConfigFileChooser, PropertiesFileLocation['chosenBy']>> = {
  load: 'the --config option',
  setConfigName: 'the program',
  env: `the ${CONFIG_FILE_ENV_VAR} environment variable`,
  default: 'default',
};

/**
 * Which properties file a load with these inputs reads: the loader's own rule (`resolveConfigFilePath`),
 * with `--config` as the file given for this load.
 *
 * The doctor needs this before loading: when the load fails, the header still names the file it was about.
 */
export function locatePropertiesFile(input: {
  configFile?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}): PropertiesFileLocation {
  const { path, chosenBy } = resolveConfigFilePath({ configName: input.configFile, env: input.env, cwd: input.cwd });
  return { path, chosenBy: CHOSEN_BY_ON_THE_COMMAND_LINE[chosenBy], exists: existsSync(path) };
}
