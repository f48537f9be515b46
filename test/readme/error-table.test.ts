import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The README's "Errors you can catch" table must name every public error class and every code of the
// documented code objects, as the built package exports them.
const require = createRequire(import.meta.url);
const main = require('ali-oss-managed-credentials') as Record<string, unknown>;
const readme = (): Promise<string> => readFile(new URL('../../README.md', import.meta.url), 'utf8');

function errorTable(text: string): string {
  const start = text.indexOf('### Errors you can catch');
  expect(start).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start);
  return text.slice(start, end);
}

describe('README error table', () => {
  it('has a row for every exported error class', async () => {
    const base = main['ManagedCredentialsError'] as new (...args: never[]) => Error;
    const classes = Object.entries(main)
      .filter(([, value]) => typeof value === 'function' && (value as { prototype: unknown }).prototype instanceof base)
      .map(([name]) => name);
    expect(classes.length).toBeGreaterThanOrEqual(7);
    const table = errorTable(await readme());
    expect(classes.filter((name) => !table.includes(`| \`${name}\``))).toEqual([]);
  });

  it('lists every code of the exported code objects', async () => {
    const table = errorTable(await readme());
    const missing: string[] = [];
    for (const objectName of ['ConfigErrorCode', 'SecretDataErrorCode', 'SecretCacheErrorCode', 'KmsErrorCode']) {
      for (const code of Object.values(main[objectName] as Record<string, string>)) {
        const suffix = code.slice(code.indexOf('.'));
        if (!table.includes(code) && !table.includes(`\`${suffix}\``)) missing.push(code);
      }
    }
    expect(missing).toEqual([]);
  });
});
