import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConfigTableMarkdown } from '../../src/config/render-config-table-markdown.js';
import { GENERATED_SECTION_SOURCES, generatedSections, readMarkedSection } from '../../scripts/readme-sections.js';

const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
const readme = read('README.md');
const codeBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const DOCS = ['docs/benchmarks.md', 'docs/fleet.md'];

/** Line number (1-based) of the first line of `readme` matching `pattern`. */
function lineOf(pattern: RegExp): number {
  const index = readme.split('\n').findIndex((line) => pattern.test(line));
  expect(index, String(pattern)).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('README', () => {
  it('starts with the two commands of a clone, labelled, and the command for an installed package beside them', () => {
    expect(readme.split('\n').slice(0, 9).join('\n')).toBe(
      [
        '# ali-oss-managed-credentials',
        '',
        '```sh',
        '# in a clone of this repository',
        'npm ci && npm run demo     # install, then run the demo against the embedded local emulators',
        'npm test                   # build and run the whole test suite (unit + integration over real sockets)',
        '# with the package installed in your project',
        'npx ali-oss-managed-credentials demo',
        '```',
      ].join('\n'),
    );
  });

  it("is a user's page first: what it is, install, usage, a local example, the Tea path; then the reference", () => {
    const order = [/^## Install$/, /^## Usage$/, /^## Try it locally$/, /^## Other Alibaba Cloud SDK clients/, /^## Reference$/, /^## Configuration$/].map(lineOf);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // What it is: a short paragraph between the commands and Install.
    const intro = readme.split('\n').slice(9, lineOf(/^## Install$/) - 1).join('\n').trim();
    expect(intro.split('\n').length).toBeLessThanOrEqual(6);
    // The first usage snippet comes early.
    expect(lineOf(/^```ts$/)).toBeLessThan(50);
    // The long tables live in docs/ (linked), not here.
    expect(readme).not.toContain('<!-- bench-table:start -->');
    expect(readme).not.toContain('<!-- fleet-table:start -->');
    expect(readme).not.toMatch(/^\| Project \| Packages/m);
    expect(readme).toContain('](docs/benchmarks.md');
    expect(readme).toContain('](docs/fleet.md)');
  });

  it('holds every generated section of README and docs as its source renders it (run npm run readme)', () => {
    const sections = generatedSections({
      results: read(GENERATED_SECTION_SOURCES.results),
      footprint: read(GENERATED_SECTION_SOURCES.footprint),
      localExample: read(GENERATED_SECTION_SOURCES.localExample),
      fleetSweep: read(GENERATED_SECTION_SOURCES.fleetSweep),
      configTable: renderConfigTableMarkdown(),
    });
    expect(Object.keys(sections).sort()).toEqual(['README.md', ...DOCS].sort());
    for (const [path, content] of Object.entries(sections)) {
      const text = read(path);
      for (const [name, expected] of Object.entries(content)) expect(readMarkedSection(text, name), `${path} ${name}`).toBe(expected);
    }
  });

  it('shows the local example file whole, under "Try it locally"', () => {
    const section = readMarkedSection(readme, 'local-example');
    expect(section).toContain(read('examples/local-emulators.ts'));
    expect(section).toContain("from 'ali-oss-managed-credentials/testing'");
    expect(readme.indexOf('<!-- local-example:start -->')).toBeGreaterThan(readme.indexOf('## Try it locally'));
  });

  it('keeps the fleet verdict under "Running a fleet" and the fleet table, with its chart, in docs/fleet.md', () => {
    expect(readme.indexOf('<!-- fleet-goal:start -->')).toBeGreaterThan(readme.indexOf('## Running a fleet'));
    expect(readMarkedSection(readme, 'fleet-goal')).toMatch(/^Goal \(/);
    const fleet = readMarkedSection(read('docs/fleet.md'), 'fleet-table');
    expect(fleet).toContain('](../bench/fleet-revoke.svg)');
    expect(readMarkedSection(read('docs/benchmarks.md'), 'bench-table')).toContain('| Rotation storm |');
    expect(readMarkedSection(read('docs/benchmarks.md'), 'footprint-table')).toMatch(/^\| ali-oss alone \|/m);
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
    expect(checked).toEqual(expect.arrayContaining(['ProxyBucket', 'LocalDkms', 'LocalOss', 'createManagedClient', 'SECRET_CACHE_CHANNELS', 'acquireDefaultCacheClient']));
  });

  it('shows Tea clients only through createManagedClient, and says what a hand-built one lacks', () => {
    // A user following the README cannot end up with a client that silently stays on a revoked key.
    for (const block of codeBlocks) expect(block).not.toMatch(/new Credential\(|new ManagedCredentialsProvider\(/);
    const tea = readme.slice(readme.indexOf('## Other Alibaba Cloud SDK clients'), readme.indexOf('\n## ', readme.indexOf('## Other Alibaba Cloud SDK clients') + 1));
    const teaCode = [...tea.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(teaCode).toHaveLength(1);
    expect(teaCode[0]).toContain('createManagedClient(');
    expect(teaCode[0]).toMatch(/^const secretName = /m);
    // Its install line names every package the snippet imports.
    const install = /```sh\n(npm install [^\n]+)\n```/.exec(tea)?.[1] ?? '';
    for (const [, from] of teaCode[0]!.matchAll(/from '([^']+)'/g)) expect(install.split(' ')).toContain(from);
    expect(tea).toContain('ALI_OSS_MC_UNMANAGED_TEA_CLIENT');
    expect(tea).toMatch(/not by hand/);
  });

  it('links only to files and headings that exist, from README and docs, relative to each page', () => {
    /** The anchors of a markdown page's headings, slugged as the repository page renders them. */
    const anchors = (markdown: string): Set<string> =>
      new Set(
        [...markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
          heading!.toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-'),
        ),
      );
    let count = 0;
    for (const page of ['README.md', ...DOCS]) {
      const text = read(page);
      for (const [, target] of text.matchAll(/\]\((?!https?:|mailto:)([^)\s]+)\)/g)) {
        const [file, anchor] = target!.split('#') as [string, string | undefined];
        const url = file === '' ? new URL(page, ROOT) : new URL(file, new URL(page, ROOT));
        expect(existsSync(fileURLToPath(url)), `${page} -> ${target}`).toBe(true);
        if (anchor !== undefined) expect([...anchors(readFileSync(url, 'utf8'))], `${page} -> ${target}`).toContain(anchor);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(20);
  });
});
