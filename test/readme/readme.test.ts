import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigTableMarkdown } from '../../src/config/render-config-table-markdown.js';
import { benchTableForReadme, fleetTableForReadme, readMarkedSection } from '../../scripts/readme-sections.js';

const ROOT = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
const codeBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

describe('README', () => {
  it('starts with the two commands', () => {
    expect(readme.split('\n').slice(0, 6).join('\n')).toBe(
      [
        '# ali-oss-managed-credentials',
        '',
        '```sh',
        'npm ci && npm run demo     # install, then run the demo against the embedded local emulators',
        'npm test                   # build and run the whole test suite (unit + integration over real sockets)',
        '```',
      ].join('\n'),
    );
  });

  it('holds the configuration table generated from the key table (run scripts/render-readme.ts)', () => {
    expect(readMarkedSection(readme, 'config-table')).toBe(renderConfigTableMarkdown());
  });

  it('holds the benchmark table of bench/results.md (run npm run bench, then scripts/render-readme.ts)', () => {
    const results = readFileSync(new URL('bench/results.md', ROOT), 'utf8');
    expect(readMarkedSection(readme, 'bench-table')).toBe(benchTableForReadme(results));
  });

  it('holds the fleet simulation of bench/results.md under "Running a fleet", with its chart', () => {
    const results = readFileSync(new URL('bench/results.md', ROOT), 'utf8');
    const fleet = readMarkedSection(readme, 'fleet-table');
    expect(fleet).toBe(fleetTableForReadme(results));
    expect(readme.indexOf('<!-- fleet-table:start -->')).toBeGreaterThan(readme.indexOf('## Running a fleet'));
    expect(fleet).toContain('](bench/fleet-revoke.svg)');
  });

  it('imports only names the package exports in its code samples', async () => {
    const entryPoints: Record<string, Record<string, unknown>> = {
      'ali-oss-managed-credentials': (await import('ali-oss-managed-credentials')) as Record<string, unknown>,
      'ali-oss-managed-credentials/testing': (await import('ali-oss-managed-credentials/testing')) as Record<string, unknown>,
    };
    const checked: string[] = [];
    for (const block of codeBlocks) {
      for (const [, names, from] of block.matchAll(/import \{([^}]+)\} from '(ali-oss-managed-credentials[^']*)'/g)) {
        const exports = entryPoints[from!];
        expect(exports, `entry point ${from}`).toBeDefined();
        for (const raw of names!.split(',')) {
          const name = raw.trim();
          if (name === '' || name.startsWith('type ')) continue; // types have no runtime trace
          expect(Object.keys(exports!), `${name} from ${from}`).toContain(name);
          checked.push(name);
        }
      }
    }
    expect(checked).toEqual(expect.arrayContaining(['ProxyBucket', 'LocalDkms', 'SECRET_CACHE_CHANNELS', 'acquireDefaultCacheClient']));
  });

  it('links only to examples that exist', () => {
    const links = [...readme.matchAll(/\]\((examples\/[^)]+)\)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThanOrEqual(6);
    for (const link of links) expect(existsSync(fileURLToPath(new URL(link, ROOT))), link).toBe(true);
  });
});
