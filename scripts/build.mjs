#!/usr/bin/env node
/**
 * `npm run build`: compiles with tshy (ESM + CommonJS, one `.d.ts` per source file), then bundles each entry
 * point's JavaScript, and writes a stamp of the build's inputs to `dist/.build-stamp`.
 *
 * `node scripts/build.mjs --if-stale` (used by `npm test` and `npm run demo`) builds only when the inputs
 * changed since the stamp was written, so a change is built once, not once per command.
 *
 * Why bundle: importing ~150 small ES modules costs more than the code they hold (the loader resolves, reads and
 * links each one). esbuild joins the ES module build into one file per entry point (`index.js`,
 * `testing/index.js`, `cli/main.js`) plus shared chunks, so the root and `./testing` still share one copy of
 * every class; the CommonJS build is the same files converted one by one, so both formats load the same graph.
 * Dependencies stay external (installed by npm, loaded by Node). No source maps. The `.d.ts` files stay one per
 * source file: the API report (scripts/api-report.ts) and consumers' compilers read them.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** The entry points, relative to dist/esm and dist/commonjs: the package's exports and its bin. */
export const ENTRY_POINTS = ['index.js', 'sources/index.js', 'testing/index.js', 'cli/main.js'];

/** Every file under `dir` (recursively), as absolute paths, sorted. */
function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

/**
 * A hash of everything the build reads: the sources, the compiler settings, the package fields tshy and the
 * bundler use, this script, and the versions of the tools.
 */
export function buildInputsHash() {
  const hash = createHash('sha256');
  const add = (label, content) => hash.update(`${label}\0${content.length}\0`).update(content);
  for (const file of listFiles(join(ROOT, 'src'))) add(relative(ROOT, file).split(sep).join('/'), readFileSync(file));
  add('tsconfig.json', readFileSync(join(ROOT, 'tsconfig.json')));
  add('scripts/build.mjs', readFileSync(fileURLToPath(import.meta.url)));
  for (const name of ['node-compat.d.ts', 'node-compat-events.d.ts']) {
    add(`scripts/declarations/${name}`, readFileSync(join(ROOT, 'scripts', 'declarations', name)));
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const { type, tshy, dependencies, peerDependencies, exports, bin } = pkg;
  add('package.json', JSON.stringify({ type, tshy, dependencies, peerDependencies, exports, bin }));
  for (const tool of ['tshy', 'esbuild', 'typescript']) {
    const manifest = join(ROOT, 'node_modules', tool, 'package.json');
    add(tool, existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : 'missing');
  }
  return hash.digest('hex');
}

/** True when dist holds a complete build of the current inputs. */
export function isUpToDate() {
  if (!existsSync(STAMP)) return false;
  for (const format of ['esm', 'commonjs']) {
    for (const entry of ENTRY_POINTS) if (!existsSync(join(ROOT, 'dist', format, entry))) return false;
  }
  return readFileSync(STAMP, 'utf8').trim() === buildInputsHash();
}

/** Bundles dist/esm in place, then converts the bundled ES modules into dist/commonjs. */
async function bundle() {
  const esbuild = await import('esbuild');
  const esmDir = join(ROOT, 'dist', 'esm');
  const cjsDir = join(ROOT, 'dist', 'commonjs');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const external = [
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ].flatMap((name) => [name, `${name}/*`]);

  // 1. ES modules: one file per entry point, shared code in chunks (so one copy of each class and registry).
  const outDir = join(ROOT, '.tshy-build', 'bundle-esm');
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: ENTRY_POINTS.map((entry) => ({ in: join(esmDir, entry), out: entry.replace(/\.js$/, '') })),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: false,
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bundled = listFiles(outDir).map((file) => relative(outDir, file));

  // 2. Replace the per-file JavaScript of both formats with the bundles; keep every .d.ts and package.json.
  for (const dir of [esmDir, cjsDir]) {
    for (const file of listFiles(dir)) if (/\.(c|m)?js$/.test(file) || file.endsWith('.js.map')) rmSync(file);
  }
  for (const file of bundled) {
    const code = readFileSync(join(outDir, file), 'utf8');
    writeOut(join(esmDir, file), code);
    // 3. CommonJS: the same files, each converted on its own (imports of chunks become requires of chunks).
    //    import.meta.url, which the ES module build uses to create its require, comes from __filename.
    const converted = esbuild.transformSync(code, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      define: { 'import.meta.url': '__importMetaUrl' },
      banner: "var __importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
      legalComments: 'none',
      sourcemap: false,
    }).code;
    writeOut(join(cjsDir, file), code.startsWith('#!') ? `${code.split('\n', 1)[0]}\n${converted.replace(/^#!.*\n/, '')}` : converted);
  }
  rmSync(outDir, { recursive: true, force: true });
  for (const dir of [esmDir, cjsDir]) removeEmptyDirs(dir);
}

function writeOut(file, content) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyDirs(join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
}

/** The shim of explicit-resource-management names, referenced from each entry's declarations. */
const COMPAT_DECLARATIONS = join(ROOT, 'scripts', 'declarations', 'node-compat.d.ts');
/** A generic EventEmitter for declarations that extend Node's with an event map (see that file). */
const COMPAT_EVENTS = join(ROOT, 'scripts', 'declarations', 'node-compat-events.d.ts');

/**
 * Makes the declarations compile beside an old `@types/node` (12, as Tea SDK clients bring it) with
 * skipLibCheck off: Node built-in modules are imported without the `node:` prefix (every @types/node declares
 * `events`, `util`, `crypto`, `http`; the old ones lack the prefixed names); each entry's declarations
 * reference `node-compat.d.ts` (AsyncDisposable, Disposable, Symbol.asyncDispose, Symbol.dispose); and a
 * declaration that extends `EventEmitter<EventMap>` gets it from `node-compat-events.d.ts` (generic in every
 * @types/node; Node's own EventEmitter at run time).
 */
function adjustDeclarations() {
  const shim = readFileSync(COMPAT_DECLARATIONS, 'utf8');
  for (const format of ['esm', 'commonjs']) {
    const dir = join(ROOT, 'dist', format);
    for (const file of listFiles(dir)) {
      if (!file.endsWith('.d.ts')) continue;
      const text = readFileSync(file, 'utf8');
      let adjusted = text.replace(/(from\s+|import\(\s*)(['"])node:([a-z_/]+)\2/g, '$1$2$3$2');
      if (/\bEventEmitter</.test(adjusted)) {
        const target = relative(dirname(file), join(dir, 'node-compat-events.js')).split(sep).join('/');
        adjusted = adjusted.replace(
          /import (type )?\{ EventEmitter \} from 'events';/,
          `import $1{ TypedEventEmitter as EventEmitter } from '${target.startsWith('.') ? target : `./${target}`}';`,
        );
      }
      if (adjusted !== text) writeFileSync(file, adjusted);
    }
    writeFileSync(join(dir, 'node-compat.d.ts'), shim);
    writeFileSync(join(dir, 'node-compat-events.d.ts'), readFileSync(COMPAT_EVENTS, 'utf8'));
    for (const entry of ENTRY_POINTS.filter((e) => !e.startsWith('cli/'))) {
      const file = join(dir, entry.replace(/\.js$/, '.d.ts'));
      const path = relative(dirname(file), join(dir, 'node-compat.d.ts')).split(sep).join('/');
      const reference = `/// <reference path="${path.startsWith('.') ? path : `./${path}`}" />`;
      const text = readFileSync(file, 'utf8');
      const anchor = '/// <reference types="node" preserve="true" />';
      if (!text.includes(anchor)) throw new Error(`${file}: expected the reference to Node's types`);
      writeFileSync(file, text.replace(anchor, `${anchor}\n${reference}`));
    }
  }
}

async function build() {
  rmSync(STAMP, { force: true });
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tshy', 'dist', 'esm', 'bin-min.mjs')], { cwd: ROOT, stdio: 'inherit' });
  await bundle();
  adjustDeclarations();
  // The bundle replaced the bin's file: it must stay executable (`npx ali-oss-managed-credentials ...`).
  for (const binPath of Object.values(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin ?? {})) {
    chmodSync(join(ROOT, binPath), 0o755);
  }
  writeFileSync(STAMP, `${buildInputsHash()}\n`);
}

if (process.argv[1] !== undefined && statSync(process.argv[1]).isFile() && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && isUpToDate()) {
    console.log('build: dist is up to date with src (scripts/build.mjs); not rebuilding');
  } else {
    await build();
  }
}
