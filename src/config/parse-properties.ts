import type { propertiesReader } from 'properties-reader';
import { requireFromPackage } from '../runtime/require-from-package.js';
import { ConfigError, ConfigErrorCode } from './config-error.js';

/** One key of a properties file. */
export interface PropertyEntry {
  /** The value with Java escapes applied (`\\` → `\`, `\uXXXX`, `\t`, ...). */
  readonly value: string;
  /** The value exactly as written (continuation lines joined), before escapes are applied. */
  readonly rawValue: string;
  /** 1-based line on which the key starts (the last one, if the key is repeated). */
  readonly line: number;
}

/** The result of {@link parseProperties}. */
export interface ParsedProperties {
  /** Keys in file order; a repeated key keeps its last value, as in Java. */
  readonly entries: ReadonlyMap<string, PropertyEntry>;
  /** Keys set more than once, with all their line numbers. */
  readonly duplicates: ReadonlyMap<string, readonly number[]>;
}

const WHITESPACE = new Set([' ', '\t', '\f']);
const UNICODE_ESCAPE = /^[0-9a-fA-F]{4}$/;
const SIMPLE_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/**
 * Parses properties text with `java.util.Properties` semantics, so JSON values, `#` and `=` inside values
 * and Windows paths survive.
 *
 * `properties-reader` does the reading (comment lines, split at the first `=`, trimming, last duplicate
 * wins). It deviates from Java where it matters for our keys, so each logical line is normalised first:
 * - continuation lines (a line ending in an odd number of `\`) are joined; properties-reader has none;
 * - `!` comment lines are dropped; properties-reader would read them as keys;
 * - `key: value` and `key value` separators become `=`; properties-reader splits on `=` only;
 * - characters properties-reader would misread inside a key (`#`, `=`, `[`), and escaped whitespace, are
 *   rewritten as `\uXXXX`, so a key never becomes an ini section or loses its tail;
 * - its raw values keep backslash escapes, so Java unescaping (`\\`, `\uXXXX`, `\t`, `\=`, ...) is applied
 *   afterwards; a malformed `\u` escape is a {@link ConfigError} naming the line, as in Java.
 * Still different from Java: trailing unescaped whitespace of a value is trimmed, and text is read as UTF-8
 * (Java's `Properties.load(InputStream)` reads ISO-8859-1).
 *
 * @param text - the file content
 * @param file - the file's path, for error messages
 */
export function parseProperties(text: string, file?: string): ParsedProperties {
  const logicalLines = joinLogicalLines(text);
  const normalised: string[] = [];
  const lineOfKey = new Map<string, number[]>();
  const rawValueOfKey = new Map<string, string>();
  for (const { text: line, number } of logicalLines) {
    const { key, value } = splitKeyValue(line);
    checkEscapes(key, number, file);
    checkEscapes(value, number, file);
    normalised.push(`${protectKey(key)}=${protectValue(value)}`);
    const name = unescapeJava(key);
    lineOfKey.set(name, [...(lineOfKey.get(name) ?? []), number]);
    rawValueOfKey.set(name, value);
  }

  // Loaded on the first file read, not at import: an application without a properties file never loads it.
  const reader = (requireFromPackage('properties-reader') as { propertiesReader: typeof propertiesReader }).propertiesReader().read(normalised.join('\n'));
  const entries = new Map<string, PropertyEntry>();
  for (const [rawKey, rawValue] of reader.entries()) {
    const key = unescapeJava(rawKey);
    const lines = lineOfKey.get(key) ?? [0];
    entries.set(key, { value: unescapeJava(rawValue), rawValue: rawValueOfKey.get(key) ?? rawValue, line: lines.at(-1) ?? 0 });
  }
  const duplicates = new Map([...lineOfKey].filter(([, lines]) => lines.length > 1));
  return { entries, duplicates };
}

/** Java logical lines: comments and blank lines dropped, continuations joined, leading whitespace removed. */
function joinLogicalLines(text: string): { text: string; number: number }[] {
  const physical = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const result: { text: string; number: number }[] = [];
  for (let i = 0; i < physical.length; i++) {
    const first = trimStartJava(physical[i] ?? '');
    // Java checks for comments only at the start of a logical line; a comment never continues.
    if (first === '' || first.startsWith('#') || first.startsWith('!')) continue;
    const number = i + 1;
    let line = first;
    while (endsWithContinuation(line)) {
      line = line.slice(0, -1);
      if (i + 1 >= physical.length) break;
      i++;
      line += trimStartJava(physical[i] ?? '');
    }
    result.push({ text: line, number });
  }
  return result;
}

function trimStartJava(line: string): string {
  let start = 0;
  while (start < line.length && WHITESPACE.has(line.charAt(start))) start++;
  return line.slice(start);
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line.charAt(i) === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Java: the key ends at the first unescaped `=`, `:` or whitespace; then whitespace, one optional `=`/`:`, whitespace. */
function splitKeyValue(line: string): { key: string; value: string } {
  let end = 0;
  while (end < line.length) {
    const char = line.charAt(end);
    if (char === '\\') {
      end += 2;
      continue;
    }
    if (char === '=' || char === ':' || WHITESPACE.has(char)) break;
    end++;
  }
  end = Math.min(end, line.length);
  const key = line.slice(0, end);
  let rest = trimStartJava(line.slice(end));
  if (rest.startsWith('=') || rest.startsWith(':')) rest = trimStartJava(rest.slice(1));
  return { key, value: rest };
}

function checkEscapes(text: string, line: number, file: string | undefined): void {
  for (let i = 0; i < text.length; i++) {
    if (text.charAt(i) !== '\\') continue;
    if (text.charAt(i + 1) === 'u' && !UNICODE_ESCAPE.test(text.slice(i + 2, i + 6))) {
      const where = file === undefined ? `line ${line}` : `${file} line ${line}`;
      throw new ConfigError(
        ConfigErrorCode.MalformedProperties,
        `malformed \\uXXXX escape in ${where}: write \\\\u for a literal backslash-u`,
        { ...(file === undefined ? {} : { file }), line },
      );
    }
    i++;
  }
}

/** Rewrites characters properties-reader would misread in a key as Java `\uXXXX` escapes. */
function protectKey(key: string): string {
  return key.replace(/\\([\s\S])|([#=[\]])/g, (match, escaped: string | undefined, plain: string | undefined) => {
    const char = escaped ?? plain ?? '';
    return plain !== undefined || /[#=[\]\s]/.test(char) ? toUnicodeEscape(char) : match;
  });
}

/** Escaped whitespace would be trimmed away by properties-reader, leaving a dangling backslash. */
function protectValue(value: string): string {
  return protectEscapedWhitespace(value);
}

function protectEscapedWhitespace(text: string): string {
  return text.replace(/\\(.)/gs, (match, char: string) => (WHITESPACE.has(char) ? toUnicodeEscape(char) : match));
}

function toUnicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Java `Properties` unescaping; escapes were checked by {@link checkEscapes} first. */
function unescapeJava(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|[\s\S]?)/g, (_match, escape: string) => {
    if (escape.length === 5) return String.fromCharCode(parseInt(escape.slice(1), 16));
    return SIMPLE_ESCAPES[escape] ?? escape;
  });
}
