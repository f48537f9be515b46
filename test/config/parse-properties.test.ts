import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { parseProperties } from '../../src/config/parse-properties.js';

function values(text: string): Record<string, string> {
  return Object.fromEntries([...parseProperties(text).entries].map(([key, entry]) => [key, entry.value]));
}

describe('parseProperties (java.util.Properties semantics)', () => {
  it('reads # and ! comments only at line start, keeping # and = in values', () => {
    expect(values('# c\n  ! c2\na=b#c=d\nb=x ! y')).toEqual({ a: 'b#c=d', b: 'x ! y' });
  });

  it('accepts =, : and whitespace as separators', () => {
    expect(values('a=1\nb: 2\nc 3\nd = 4\ne:=5\nf')).toEqual({ a: '1', b: '2', c: '3', d: '4', e: '=5', f: '' });
  });

  it('applies backslash escapes, so Windows paths written the Java way survive', () => {
    expect(values(String.raw`p=C:\\keys\\ck.json`).p).toBe('C:\\keys\\ck.json');
    expect(values(String.raw`u=cn\u002dhangzhou\t!`).u).toBe('cn-hangzhou\t!');
    expect(values(String.raw`k\=x\:y=v\=w`)).toEqual({ 'k=x:y': 'v=w' });
    expect(values(String.raw`s=\ lead`).s).toBe(' lead');
  });

  it('joins continuation lines and drops the next line leading whitespace', () => {
    const text = 'json=[{"a":1},\\\n     {"b":2}]\nafter=x';
    expect(values(text)).toEqual({ json: '[{"a":1},{"b":2}]', after: 'x' });
  });

  it('does not continue a comment line, and an escaped backslash does not continue', () => {
    expect(values('# comment \\\na=1\nb=c:\\\\\nd=2')).toEqual({ a: '1', b: 'c:\\', d: '2' });
  });

  it('treats [name] as a plain key, not an ini section', () => {
    expect(values('[sec]\na=1')).toEqual({ '[sec]': '', a: '1' });
  });

  it('reads keys containing # like Java', () => {
    expect(values(String.raw`a#b=c`)).toEqual({ 'a#b': 'c' });
  });

  it('handles CRLF, CR and a BOM', () => {
    expect(values('\uFEFFa=1\r\nb=2\rc=3')).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('records the last line of a repeated key and the value as written', () => {
    const parsed = parseProperties('a=1\nb=C:\\\\x\na=2');
    expect(parsed.entries.get('a')).toMatchObject({ value: '2', line: 3 });
    expect(parsed.entries.get('b')?.rawValue).toBe('C:\\\\x');
    expect(parsed.duplicates.get('a')).toEqual([1, 3]);
  });

  it('rejects a malformed \\u escape with a ConfigError naming the line, not the value', () => {
    let caught: unknown;
    try {
      parseProperties('a=1\npw=se\\uZZcret', '/x/app.properties');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('ConfigError.MalformedProperties');
    expect((caught as ConfigError).message).toContain('/x/app.properties line 2');
    expect((caught as ConfigError).message).not.toContain('cret');
  });
});
