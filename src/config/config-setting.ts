import type { ConfigSource } from './config-keys.js';

/** One key's winning value before validation, with where it came from. */
export interface ConfigSetting {
  /** The key. */
  readonly key: string;
  /** The value: a string from the file or the environment; anything from code. */
  readonly value: unknown;
  /** Where it came from. */
  readonly source: ConfigSource;
  /** Folder that relative paths in this value resolve against (the file's folder, else the cwd). */
  readonly baseDir: string;
  /** For file values: the value before Java unescaping (for the Python-style JSON fallback). */
  readonly rawFileValue?: string;
  /** For file values: the 1-based line where the key starts. */
  readonly line?: number;
}

/** The winning setting of each key, by key name: the input of configuration validation. */
export type ConfigSettings = ReadonlyMap<string, ConfigSetting>;
