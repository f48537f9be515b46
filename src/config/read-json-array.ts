import { closestName } from './closest-name.js';
import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import type { ConfigJsonFieldSpec } from './config-keys.js';
import type { ConfigSetting, ConfigSettings } from './config-setting.js';
import { describeType } from './config-values.js';
import type { ConfigWarning } from './provider-config.js';

/** One object of a JSON-array key. */
export type JsonObject = Record<string, unknown>;

type Settings = ConfigSettings;

/**
 * The objects of a JSON-array key (`cache_client_dkms_config_info`, `cache_client_region_id`), each with the
 * folder its relative paths resolve against; `[]` when the key is not set. JSON text is parsed (with the
 * Python-style escape fallback, warned about); anything but an array of objects is a `MalformedJson` error.
 */
export function readJsonArray(
  settings: Settings,
  key: string,
  warnings: ConfigWarning[],
): { value: JsonObject; baseDir: string }[] {
  const setting = settings.get(key);
  if (setting === undefined) return [];
  let array: unknown = setting.value;
  if (typeof array === 'string') array = parseJsonText(setting, warnings);
  if (!Array.isArray(array)) {
    throw new ConfigError(ConfigErrorCode.MalformedJson, `${key} must be a JSON array of objects, got ${describeType(array)}`, {
      key,
    });
  }
  return array.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(
        ConfigErrorCode.MalformedJson,
        `${key}[${index}] must be a JSON object, got ${describeType(entry)}`,
        { key, index },
      );
    }
    return { value: entry as JsonObject, baseDir: setting.baseDir };
  });
}

function parseJsonText(setting: ConfigSetting, warnings: ConfigWarning[]): unknown {
  const text = setting.value as string;
  try {
    return JSON.parse(text);
  } catch (error) {
    // Python-style files are not unescaped: `C:\\keys` there means what Java spells `C:\\\\keys`.
    if (setting.rawFileValue !== undefined && setting.rawFileValue !== text) {
      try {
        const parsed: unknown = JSON.parse(setting.rawFileValue);
        warnings.push({
          code: 'PythonStyleEscapes',
          key: setting.key,
          message:
            `${setting.key} is valid JSON only as written, without Java backslash escapes; read it that way. ` +
            'Double each backslash to make the file valid for Java too',
        });
        return parsed;
      } catch {
        // Report the Java reading's error below.
      }
    }
    const detail = error instanceof SyntaxError ? positionOf(error.message) : '';
    throw new ConfigError(
      ConfigErrorCode.MalformedJson,
      `${setting.key} is not valid JSON${detail}` +
        (setting.source === 'file' ? ' (in the properties file, a backslash must be written as \\\\)' : ''),
      { key: setting.key },
    );
  }
}

/** Only the position from a JSON.parse message: the rest may quote the (possibly secret) text. */
function positionOf(message: string): string {
  const match = /position (\d+)/.exec(message);
  return match === null ? '' : ` (at position ${match[1]})`;
}

/** Warns about entry fields that are neither known nor ignored on purpose, suggesting the closest name. */
export function warnUnknownFields(
  key: string,
  index: number,
  entry: JsonObject,
  fields: readonly ConfigJsonFieldSpec[],
  ignored: readonly string[],
  warnings: ConfigWarning[],
): void {
  const known = fields.map((field) => field.name);
  for (const name of Object.keys(entry)) {
    if (known.includes(name)) continue;
    if (ignored.includes(name)) {
      warnings.push({
        code: 'IgnoredField',
        key,
        index,
        message: `${key}[${index}].${name} is accepted by the official providers but ignored here`,
      });
      continue;
    }
    const suggestion = closestName(name, known);
    warnings.push({
      code: 'UnknownField',
      key,
      index,
      field: name,
      ...(suggestion === undefined ? {} : { suggestion }),
      message:
        `${key}[${index}] has an unknown field "${name}"` + (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`),
    });
  }
}

function field(entry: JsonObject, name: string): unknown {
  return Object.hasOwn(entry, name) ? entry[name] : undefined;
}

/** A required entry field; missing, `null` or blank is a `MissingKey` error naming it. */
export function requireField(entry: JsonObject, location: ConfigErrorLocation & { field: string }): unknown {
  const value = field(entry, location.field);
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    throw new ConfigError(ConfigErrorCode.MissingKey, `${describeLocation(location)} is required`, location);
  }
  return value;
}

/** An optional entry field; `null` and blank count as not set. */
export function optionalField(entry: JsonObject, name: string): unknown {
  const value = field(entry, name);
  return value === null || (typeof value === 'string' && value.trim() === '') ? undefined : value;
}

/** Warns about entries of `key` with the same endpoint as an earlier one. */
export function warnDuplicateEndpoints(
  key: string,
  entries: readonly { endpoint?: string }[],
  warnings: ConfigWarning[],
): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry.endpoint === undefined) return;
    const first = seen.get(entry.endpoint);
    if (first === undefined) seen.set(entry.endpoint, index);
    else {
      warnings.push({
        code: 'DuplicateEntry',
        key,
        index,
        message: `${key}[${index}] has the same endpoint as ${key}[${first}]`,
      });
    }
  });
}
