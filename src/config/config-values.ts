import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import { isSecretSetting } from './secret-setting.js';

/** Largest accepted integer (ms or count): beyond it arithmetic on it loses precision. */
const MAX_INTEGER = Number.MAX_SAFE_INTEGER;
/** Longest part of a bad value shown in a message. */
const MAX_SHOWN_CHARACTERS = 60;

/** A non-empty trimmed string, or a {@link ConfigError} naming `location`. */
export function expectString(value: unknown, location: ConfigErrorLocation): string {
  if (typeof value !== 'string') {
    throw invalid(location, `must be a string, got ${describeValue(value, location)}`);
  }
  const trimmed = value.trim();
  if (trimmed === '') throw new ConfigError(ConfigErrorCode.MissingKey, `${describeLocation(location)} is empty`, location);
  return trimmed;
}

/** An integer >= `min` (and <= `max`, when given) from a number or a string of digits. */
export function expectInteger(value: unknown, location: ConfigErrorLocation, min: number, max?: number): number {
  let parsed: number;
  if (typeof value === 'number') {
    parsed = value;
  } else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) {
    parsed = Number(value.trim());
  } else {
    throw invalid(location, `must be a whole number${describeUnit(location)}, got ${describeValue(value, location, NUMBER_SHAPE)}`);
  }
  if (!Number.isSafeInteger(parsed) || parsed > MAX_INTEGER) {
    throw invalid(location, `must be a whole number${describeUnit(location)} up to ${MAX_INTEGER}`);
  }
  if (parsed < min) throw invalid(location, `must be at least ${min}${describeUnit(location)}`);
  if (max !== undefined && parsed > max) throw invalid(location, `must be at most ${max}${describeUnit(location)}`);
  return parsed;
}

/** `true`/`false`, also as the strings `"true"`/`"false"` (any case), as the Java and Go providers accept. */
export function expectBoolean(value: unknown, location: ConfigErrorLocation): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw invalid(location, `must be true or false, got ${describeValue(value, location, WORD_SHAPE)}`);
}

/**
 * An environment variable name: letters, digits and `_`, not starting with a digit. A value with other
 * characters is almost certainly the password itself put in the wrong place, so it is refused (unechoed).
 */
export function expectEnvVarName(value: unknown, location: ConfigErrorLocation): string {
  const name = expectString(value, location);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw invalid(location, 'must be the NAME of an environment variable (letters, digits, _), not its value');
  }
  return name;
}

/**
 * An endpoint as `host` or `host:port`. A leading `https://` and a trailing `/` are dropped (the Go DKMS SDK
 * does the same); any other scheme, a path, query or credentials are refused: the connection is always HTTPS.
 */
export function expectEndpoint(value: unknown, location: ConfigErrorLocation): string {
  const text = expectString(value, location).replace(/^https:\/\//i, '').replace(/\/$/, '');
  let url: URL | undefined;
  if (!/[\s/?#@\\]/.test(text) && !text.includes('://')) {
    try {
      url = new URL(`https://${text}`);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined || url.host === '' || url.pathname !== '/') {
    throw invalid(location, `must be host or host:port (optionally prefixed by https://), got ${describeValue(value, location, ENDPOINT_SHAPE)}`);
  }
  return url.host;
}

/** Resolves `value` against `baseDir` and checks that it is a readable file. */
export function expectReadableFile(value: unknown, location: ConfigErrorLocation, baseDir: string): string {
  const path = isAbsolute(expectString(value, location)) ? (value as string).trim() : resolve(baseDir, (value as string).trim());
  checkReadableFile(path, location);
  return path;
}

/** A {@link ConfigError} (`UnreadableFile`) unless `path` is a readable regular file. */
export function checkReadableFile(path: string, location: ConfigErrorLocation): void {
  const at = { ...location, file: path };
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      ConfigErrorCode.UnreadableFile,
      `${describeLocation(location)}: file ${path} ${missing ? 'does not exist' : 'cannot be read'}`,
      at,
    );
  }
  if (!isFile) {
    throw new ConfigError(ConfigErrorCode.UnreadableFile, `${describeLocation(location)}: ${path} is not a file`, at);
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new ConfigError(ConfigErrorCode.UnreadableFile, `${describeLocation(location)}: file ${path} cannot be read`, at);
  }
}

/** An `InvalidValue` {@link ConfigError}: `<location> <problem>`. */
export function invalid(location: ConfigErrorLocation, problem: string): ConfigError {
  return new ConfigError(ConfigErrorCode.InvalidValue, `${describeLocation(location)} ${problem}`, location);
}

/** What a mistaken value of a kind of setting looks like: text that does not is not echoed. */
export interface ValueShape {
  /** E.g. `a number`. */
  readonly kind: string;
  /** Text a mistaken value of this kind matches (`6h`, `30 s` for a number). */
  readonly pattern: RegExp;
}

/** A number, maybe with a unit or a sign: `6h`, `-1`, `1.5`, `30 s`. */
export const NUMBER_SHAPE: ValueShape = { kind: 'a number', pattern: /^[-+]?[0-9][0-9.,_]{0,20}\s?[A-Za-z]{0,7}$/ };
/** A short word: `yes`, `1`, `on`. */
export const WORD_SHAPE: ValueShape = { kind: 'a word', pattern: /^[A-Za-z0-9_ -]{1,32}$/ };
/** A host, `host:port` or URL. */
export const ENDPOINT_SHAPE: ValueShape = { kind: 'an endpoint', pattern: /^[A-Za-z0-9.:/_\-[\]]{1,300}$/ };

/**
 * A bad value for a message: the value itself (strings quoted and cut to 60 characters) unless `location`
 * is a secret setting ({@link isSecretSetting}), or the text does not look like a mistaken value of the
 * setting's kind (`shape`): a password pasted into `rotation_interval` is not echoed, `6h` is. Objects and
 * arrays are described by their type.
 */
export function describeValue(value: unknown, location: ConfigErrorLocation, shape?: ValueShape): string {
  if (isSecretSetting(location)) return describeType(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') return describeType(value);
  if (shape !== undefined && !shape.pattern.test(value.trim())) {
    return `text that does not look like ${shape.kind} (not shown: it may be a secret put in the wrong place)`;
  }
  const shown = value.length > MAX_SHOWN_CHARACTERS ? `${value.slice(0, MAX_SHOWN_CHARACTERS)}...` : value;
  // A hint for Python-style files, where text after `#` was a comment; Java keeps it in the value.
  const hint = value.includes('#') ? ' (comments are only allowed at line start)' : '';
  return `${JSON.stringify(shown)}${hint}`;
}

/** The type of a value for messages, never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    // A hint for Python-style files, where text after `#` was a comment; Java keeps it in the value.
    return value.includes('#') ? 'a string containing "#" (comments are only allowed at line start)' : 'text';
  }
  return `a ${typeof value}`;
}

function describeUnit(location: ConfigErrorLocation): string {
  const name = location.field ?? location.key ?? '';
  return /interval|timeout|staleness|jitter|backoff|milliseconds/i.test(name) ? ' of ms' : '';
}

/** A region id like `cn-hangzhou`. */
export function expectRegionId(value: unknown, location: ConfigErrorLocation): string {
  const regionId = expectString(value, location);
  if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(regionId)) {
    throw invalid(location, `must be a region id like cn-hangzhou, got ${describeValue(regionId, location, WORD_SHAPE)}`);
  }
  return regionId;
}

/** `path` as is when absolute, else resolved against `baseDir` (a file's folder or the cwd). */
export function resolvePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
