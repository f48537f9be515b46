import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/consumer-project.js';

const run = promisify(execFile);

// npm test's pretest and npm run demo call `scripts/build.mjs --if-stale`: a build of the current sources is not
// redone (the test run itself starts after pretest built or skipped).
describe('build once per change', () => {
  it('dist carries the stamp of the current build inputs, and --if-stale does not rebuild', async () => {
    const build = (await import(join(REPO_ROOT, 'scripts', 'build.mjs'))) as { buildInputsHash(): string; isUpToDate(): boolean };
    const stamp = (await readFile(join(REPO_ROOT, 'dist', '.build-stamp'), 'utf8')).trim();
    expect(stamp).toBe(build.buildInputsHash());
    expect(build.isUpToDate()).toBe(true);
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: REPO_ROOT });
    expect(stdout).toContain('dist is up to date');
  });

  it('package.json runs the check before tests and the demo, and .ci/run builds once', async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['pretest']).toBe('node scripts/build.mjs --if-stale');
    expect(pkg.scripts['demo']).toMatch(/^node scripts\/build\.mjs --if-stale && /);
    const ci = await readFile(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    const commands = ci.split('\n').filter((line) => !line.trimStart().startsWith('#'));
    expect(commands.filter((line) => /npm run build|tshy/.test(line))).toHaveLength(1);
  });
});
