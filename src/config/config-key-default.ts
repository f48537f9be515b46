import { configKeySpec, type ConfigKeyName } from './config-keys.js';

/**
 * The default of a numeric configuration key, read from the key table (`CONFIG_KEYS`), the one place
 * configuration defaults are written. Other modules (the cache's own defaults) derive theirs from it.
 * @throws Error at module load if the table has no default for `name` (a programming error)
 */
export function configKeyDefault(name: ConfigKeyName): number {
  const value = configKeySpec(name)?.defaultValue;
  if (value === undefined) throw new Error(`the configuration key table has no default for ${name}`);
  return value;
}
