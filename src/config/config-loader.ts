import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closestName } from './closest-name.js';
import { ConfigError, ConfigErrorCode } from './config-error.js';
import { CONFIG_KEYS, configKeySpec, type ConfigKeyName, type ConfigSource } from './config-keys.js';
import type { ConfigSetting } from './config-setting.js';
import { parseProperties } from './parse-properties.js';
import type { ConfigWarning, ProviderConfig } from './provider-config.js';
import { resolveProviderConfig } from './resolve-provider-config.js';
import { explainConfigError } from './explain-config-error.js';
import { CLIENT_KEY_PASSWORD_IN_FILE } from './client-key-password-in-file.js';

/** A value in {@link ConfigOptions}: what the properties file would hold, or its natural JS form. */
export type ConfigOptionValue = string | number | boolean | readonly string[] | readonly object[];

/**
 * Configuration in code, keyed by the same names as the properties file. JSON-valued keys
 * (`cache_client_dkms_config_info`, `cache_client_region_id`) may be arrays of objects or JSON text;
 * `secret_names` may be an array; numbers may be numbers.
 */
export type ConfigOptions = { readonly [K in ConfigKeyName]?: ConfigOptionValue };

/** Arguments of {@link ConfigLoader.load}. */
export interface ConfigLoadInput {
  /** Settings in code; they win over the environment and the file. */
  readonly options?: ConfigOptions;
  /** The environment (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The working directory the file and env/code paths are relative to (default `process.cwd()`). */
  readonly cwd?: string;
  /** The properties file for this call only; wins over `setConfigName` and the environment variable. */
  readonly configName?: string;
}

/** The properties file looked for when nothing else names one. */
export const DEFAULT_CONFIG_NAME = 'managed_credentials_providers.properties';

/** Environment variable naming the properties file (relative to the working directory, or absolute). */
export const CONFIG_FILE_ENV_VAR = 'ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE';

let configNameOverride: string | undefined;

/**
 * Loads the provider configuration from, per key, in decreasing precedence: options in code, environment
 * variables with the same key names, the properties file. One source per setting: a JSON-array key from
 * the environment replaces the file's array, it is not merged.
 *
 * The properties file is, in order: `load({ configName })`, {@link ConfigLoader.setConfigName}, the
 * `ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE` environment variable, or `managed_credentials_providers.properties`;
 * relative names resolve against the working directory. A file named explicitly must exist; the default
 * file may be absent when the environment or code provide the configuration.
 */
export class ConfigLoader {
  private constructor() {}

  /**
   * Chooses the properties file for later loads (relative to the working directory, or absolute), as the
   * official providers' `ConfigLoader.setConfigName`. `undefined` restores the default lookup.
   */
  static setConfigName(nameOrPath: string | undefined): void {
    if (nameOrPath !== undefined && (typeof nameOrPath !== 'string' || nameOrPath.trim() === '')) {
      throw new ConfigError(ConfigErrorCode.InvalidValue, 'ConfigLoader.setConfigName() needs a non-empty file name or path');
    }
    configNameOverride = nameOrPath?.trim();
  }

  /** The name set by {@link ConfigLoader.setConfigName}, if any. */
  static getConfigName(): string | undefined {
    return configNameOverride;
  }

  /**
   * Reads, merges and validates the configuration.
   *
   * A misspelled key or field that explains a failure is the error (`ConfigError.UnknownKey`, "did you
   * mean"), with the failure it explains as `cause`; an error about a key set in the properties file carries
   * the file and the line (`file`, `line`).
   * @throws ConfigError naming the key (and entry index and field) and the file and line at fault; a bad value
   * only when the setting is not a secret (see {@link ConfigError})
   */
  static load(input: ConfigLoadInput = {}): ProviderConfig {
    const env = input.env ?? process.env;
    const cwd = resolve(input.cwd ?? process.cwd());
    const warnings: ConfigWarning[] = [];
    const settings = new Map<string, ConfigSetting>();

    const otherFileProperties = new Map<string, ConfigSetting>();

    const { path, chosenBy } = resolveConfigFilePath({ configName: input.configName, env, cwd });
    const text = readConfigFile(path, chosenBy);
    if (text !== undefined) collectFile(text, path, settings, otherFileProperties, warnings);
    collectEnv(env, cwd, settings, warnings);
    collectOptions(input.options, cwd, settings, warnings);

    if (text === undefined && settings.size === 0) {
      throw new ConfigError(
        ConfigErrorCode.FileNotFound,
        `no configuration found: looked for ${path}. Create it, point at another file with ` +
          `ConfigLoader.setConfigName(path) or the ${CONFIG_FILE_ENV_VAR} environment variable, ` +
          'or set the keys as environment variables or options' +
          warnings
            .filter((warning) => warning.code === 'EnvKeyCase')
            .map((warning) => ` (${warning.message})`)
            .join(''),
        { file: path },
      );
    }
    try {
      return resolveProviderConfig(settings, {
        env,
        warnings,
        otherFileProperties,
        ...(text === undefined ? {} : { configFile: path }),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw explainConfigError(error, { settings, otherFileProperties, warnings, ...(text === undefined ? {} : { configFile: path }) });
    }
  }
}

/** What named the properties file: `load({ configName })`, `setConfigName`, the environment variable, or nothing. */
export type ConfigFileChooser = 'load' | 'setConfigName' | 'env' | 'default';

/** The properties file a load reads, and what named it. */
export interface ConfigFilePath {
  /** Absolute path. */
  readonly path: string;
  /** What named it; only a `default` file may be absent. */
  readonly chosenBy: ConfigFileChooser;
}

/**
 * The one rule for which properties file a load reads (internal; the loader and the CLI's doctor use it):
 * `configName` given for this load, else {@link ConfigLoader.setConfigName}'s name, else the
 * `ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE` environment variable, else `managed_credentials_providers.properties`;
 * relative names resolve against `cwd`. Blank names count as not given.
 */
export function resolveConfigFilePath(input: {
  readonly configName?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}): ConfigFilePath {
  const fromLoad = input.configName?.trim();
  const fromEnv = input.env[CONFIG_FILE_ENV_VAR]?.trim();
  const [name, chosenBy]: [string, ConfigFileChooser] =
    fromLoad !== undefined && fromLoad !== ''
      ? [fromLoad, 'load']
      : configNameOverride !== undefined
        ? [configNameOverride, 'setConfigName']
        : fromEnv !== undefined && fromEnv !== ''
          ? [fromEnv, 'env']
          : [DEFAULT_CONFIG_NAME, 'default'];
  return { path: resolve(input.cwd, name), chosenBy };
}

/** How the loader's messages name what chose a file (API words: the loader is called from code). */
const CHOSEN_BY_IN_CODE: Readonly<Record<Exclude<ConfigFileChooser, 'default'>, string>> = {
  load: 'load({ configName })',
  setConfigName: 'ConfigLoader.setConfigName()',
  env: `the ${CONFIG_FILE_ENV_VAR} environment variable`,
};

/** The file's text; `undefined` when the default file is absent; an error for an absent named file. */
function readConfigFile(path: string, chosenBy: ConfigFileChooser): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (chosenBy === 'default') return undefined;
      throw new ConfigError(
        ConfigErrorCode.FileNotFound,
        `properties file ${path} (chosen by ${CHOSEN_BY_IN_CODE[chosenBy]}) does not exist`,
        { file: path },
      );
    }
    throw new ConfigError(ConfigErrorCode.UnreadableFile, `properties file ${path} cannot be read (${code ?? 'error'})`, {
      file: path,
    });
  }
}

function collectFile(
  text: string,
  path: string,
  settings: Map<string, ConfigSetting>,
  otherProperties: Map<string, ConfigSetting>,
  warnings: ConfigWarning[],
): void {
  const parsed = parseProperties(text, path);
  const baseDir = dirname(path);
  for (const [key, lines] of parsed.duplicates) {
    if (configKeySpec(key) === undefined) continue; // reported as unknown below
    warnings.push({
      code: 'DuplicateKey',
      key,
      message: `${key} is set more than once in ${path} (lines ${lines.join(', ')}); the last one wins`,
    });
  }
  for (const [key, entry] of parsed.entries) {
    const setting = { key, value: entry.value, source: 'file' as const, baseDir, rawFileValue: entry.rawValue, line: entry.line };
    if (!acceptKey(key, 'file', `${path} line ${entry.line}`, warnings, entry.line)) {
      // Not a key, but a DKMS entry's passwordFromFilePathName may name it.
      if (configKeySpec(key) === undefined) otherProperties.set(key, setting);
      continue;
    }
    if (entry.value.trim() === '') continue;
    settings.set(key, setting);
  }
}

/** Lower-cased key name -> key name, for the environment's near misses (`SECRET_NAMES`). */
const KEYS_BY_LOWER_CASE: ReadonlyMap<string, string> = new Map(CONFIG_KEYS.map((spec) => [spec.name.toLowerCase(), spec.name]));

/**
 * Only exact key names are read from the environment. A variable that differs from a key only in case
 * (`SECRET_NAMES`) is not read either, but warned about (`EnvKeyCase`): it is almost certainly meant as that
 * key. Other variables are not ours to warn about.
 */
function collectEnv(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  settings: Map<string, ConfigSetting>,
  warnings: ConfigWarning[],
): void {
  for (const spec of CONFIG_KEYS) {
    const value = Object.hasOwn(env, spec.name) ? env[spec.name] : undefined;
    if (value === undefined || value.trim() === '' || !(spec.sources as readonly ConfigSource[]).includes('env')) continue;
    settings.set(spec.name, { key: spec.name, value, source: 'env', baseDir: cwd });
  }
  for (const name of Object.keys(env)) {
    const key = KEYS_BY_LOWER_CASE.get(name.toLowerCase());
    if (key === undefined || key === name || env[name] === undefined) continue;
    warnings.push({
      code: 'EnvKeyCase',
      key,
      suggestion: key,
      message:
        `environment variable ${name} is ignored: configuration keys are case-sensitive, ` +
        `set ${key} (exactly this spelling) instead`,
    });
  }
}

function collectOptions(
  options: unknown,
  cwd: string,
  settings: Map<string, ConfigSetting>,
  warnings: ConfigWarning[],
): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, 'options must be an object keyed by configuration key names');
  }
  for (const [key, value] of Object.entries(options)) {
    if (!acceptKey(key, 'code', 'the options', warnings)) continue;
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) continue;
    settings.set(key, { key, value, source: 'code', baseDir: cwd });
  }
}

/** Whether `key` is known and allowed from `source`; records a warning otherwise. */
function acceptKey(key: string, source: ConfigSource, where: string, warnings: ConfigWarning[], line?: number): boolean {
  const spec = configKeySpec(key);
  if (spec === undefined) {
    const suggestion = closestName(key, CONFIG_KEYS.map((candidate) => candidate.name));
    // A stray line (e.g. a pasted password) reads as a key: name it only if it looks like a key.
    const shown = suggestion !== undefined || /^[a-z][a-z0-9]*([_.][a-z0-9]+)+$/.test(key);
    warnings.push({
      code: 'UnknownKey',
      ...(shown ? { key } : {}),
      ...(suggestion === undefined ? {} : { suggestion }),
      ...(line === undefined ? {} : { line }),
      message:
        (shown ? `unknown key "${key}" in ${where}` : `a line in ${where} is not a known key (not shown, it may be a value)`) +
        (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
    });
    return false;
  }
  if (!spec.sources.includes(source)) {
    warnings.push({
      code: 'IgnoredKey',
      key,
      ...(line === undefined ? {} : { line }),
      message:
        `${key} in ${where} is ignored: it is only read from ${spec.sources.join(' or ')}` +
        (key === 'client_key_password' ? `. ${CLIENT_KEY_PASSWORD_IN_FILE}` : ''),
    });
    return false;
  }
  return true;
}
