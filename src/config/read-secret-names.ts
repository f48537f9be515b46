import type { ConfigSettings } from './config-setting.js';
import { describeType, invalid } from './config-values.js';

type Settings = ConfigSettings;

/** `secret_names`: a comma-separated string (or an array, from code), trimmed, without blanks or repeats. */
export function readSecretNames(settings: Settings): string[] {
  const setting = settings.get('secret_names');
  if (setting === undefined) return [];
  const location = { key: 'secret_names' };
  let names: unknown[];
  if (typeof setting.value === 'string') names = setting.value.split(',');
  else if (Array.isArray(setting.value)) names = setting.value;
  else throw invalid(location, `must be a comma-separated string or an array of strings, got ${describeType(setting.value)}`);
  const result = new Set<string>();
  names.forEach((name, index) => {
    if (typeof name !== 'string') throw invalid({ ...location, index }, `must be a string, got ${describeType(name)}`);
    if (name.trim() !== '') result.add(name.trim());
  });
  return [...result];
}
