import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/consumer-project.js';

// The package ships `dist/` and not `src/`: a source map is only worth its bytes if it carries the sources it
// points to. The JavaScript maps inline them (`inlineSources`); declaration maps, which could only point into the
// unshipped `src/`, are not built.
async function mapsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.map')) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

describe('source maps in the built package', () => {
  it('ships no map whose sources are missing from the package', async () => {
    const maps = await mapsUnder(join(REPO_ROOT, 'dist'));
    expect(maps.length).toBeGreaterThan(0);
    const incomplete: string[] = [];
    for (const file of maps) {
      const map = JSON.parse(await readFile(file, 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
      const inlined = map.sourcesContent ?? [];
      if (map.sources.some((_source, i) => typeof inlined[i] !== 'string')) incomplete.push(file);
    }
    expect(incomplete).toEqual([]);
  });

  it('builds no declaration maps', async () => {
    const maps = await mapsUnder(join(REPO_ROOT, 'dist'));
    expect(maps.filter((file) => file.endsWith('.d.ts.map'))).toEqual([]);
  });
});
