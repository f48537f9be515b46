import { propertiesReader } from 'properties-reader';
import { describe, expect, it } from 'vitest';

// What properties-reader 3 itself does, verified so that parse-properties.ts handles exactly its deviations
// from java.util.Properties. If an upgrade changes any of these, the normalisation must be revisited.
function read(text: string): [string, string][] {
  return [...propertiesReader().read(text).entries()];
}

describe('properties-reader (as used for our properties files)', () => {
  it('skips comment lines starting with # and blank lines', () => {
    expect(read('# comment\n\n   # indented comment\na=1')).toEqual([['a', '1']]);
  });

  it('keeps # and = inside values and splits at the first =', () => {
    expect(read('a=b#c=d\nurl=https://x/?q=1#frag')).toEqual([
      ['a', 'b#c=d'],
      ['url', 'https://x/?q=1#frag'],
    ]);
  });

  it('trims keys and values and lets the last duplicate win', () => {
    expect(read('  k  =  v1  \nk=v2')).toEqual([['k', 'v2']]);
  });

  it('keeps JSON values intact, quotes and all', () => {
    const json = '[{"regionId":"cn-hangzhou","endpoint":"a.b:8443"}]';
    expect(read(`cache_client_region_id=${json}`)).toEqual([['cache_client_region_id', json]]);
  });

  it('deviates from Java: raw values keep backslash escapes (no \\\\ or \\uXXXX processing)', () => {
    expect(read(String.raw`p=C:\\keys\\ck.json \u0041`)).toEqual([['p', String.raw`C:\\keys\\ck.json \u0041`]]);
  });

  it('deviates from Java: no line continuation with a trailing backslash', () => {
    expect(read('a=1,\\\n2')).toEqual([
      ['a', '1,\\'],
      ['2', ''],
    ]);
  });

  it('deviates from Java: ! is not a comment and : or whitespace are not separators', () => {
    expect(read('! note\nk: v\nk2 v2')).toEqual([
      ['! note', ''],
      ['k: v', ''],
      ['k2 v2', ''],
    ]);
  });

  it('deviates from Java: [name] lines start ini sections that prefix later keys; # ends a key', () => {
    expect(read('[sec]\na=1')).toEqual([['sec.a', '1']]);
    expect(read('a#b=c')).toEqual([['a', '#b=c']]);
  });
});
