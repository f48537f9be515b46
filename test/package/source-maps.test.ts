import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/consumer-project.js';

// The package ships `dist/` and not `src/`, and no source maps: maps of declarations could only point into the
// unshipped `src/`, and maps with inlined sources doubled the installed size for little (the compiled
// JavaScript is close to the TypeScript it comes from).
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

describe('the built package', () => {
  it('holds no source map and no reference to one', async () => {
    const files = await filesUnder(join(REPO_ROOT, 'dist'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    const referencing: string[] = [];
    for (const file of files.filter((f) => /\.(c|m)?js$|\.d\.ts$/.test(f))) {
      if ((await readFile(file, 'utf8')).includes('sourceMappingURL=')) referencing.push(file);
    }
    expect(referencing).toEqual([]);
  });
});
