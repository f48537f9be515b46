/**
 * Builds throw-away consumer projects from the packed tarball, offline: used by the package tests
 * (test/package/consumer-types.test.ts) and by the footprint benchmark (bench/footprint.ts).
 *
 * Why `npm ci` with a generated lockfile rather than `npm install --offline <tarball>`: `npm install` must read
 * each dependency's registry metadata to resolve ranges, and the npm cache that `npm ci` fills holds only
 * tarballs (by integrity), not that metadata, so a plain offline install fails with ENOTCACHED. This
 * repository's package-lock.json already pins every package a consumer needs (the production dependencies
 * and the `ali-oss` peer, which is also a devDependency), so we copy the part of it reachable from the
 * consumer's dependencies into the consumer's lockfile and let `npm ci --offline` install exactly that from
 * the cache. The tree a user's `npm install` builds may hoist differently; the type tests cover that separately
 * by compiling against each `@types/node` the dependencies bring.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The package's own name. */
export const PACKAGE_NAME = 'ali-oss-managed-credentials';

/** What `npm pack` reports about the tarball it wrote. */
export interface PackedTarball {
  /** Absolute path of the `.tgz`. */
  readonly file: string;
  /** Number of files in the tarball. */
  readonly fileCount: number;
  /** Compressed size in bytes. */
  readonly size: number;
  /** Sum of the file sizes in bytes. */
  readonly unpackedSize: number;
  /** Paths inside the package. */
  readonly files: readonly string[];
}

/** Packs the built package (run `npm run build` first) into `destDir`. */
export async function packTarball(destDir: string): Promise<PackedTarball> {
  await mkdir(destDir, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destDir], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const [info] = JSON.parse(stdout) as Array<{
    filename: string;
    entryCount: number;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  if (info === undefined) throw new Error('npm pack reported nothing');
  return {
    file: join(destDir, info.filename),
    fileCount: info.entryCount,
    size: info.size,
    unpackedSize: info.unpackedSize,
    files: info.files.map((f) => f.path),
  };
}

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface PackageJson {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The lockfile path a package `name` required from the lockfile path `from` resolves to, as Node would. */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** What a consumer project installs. */
export interface ConsumerSpec {
  /** The tarball of this package, or undefined for a project without it (e.g. ali-oss alone). */
  readonly tarball?: string;
  /** Install `ali-oss` as the application's own dependency (it is our peer). */
  readonly aliOss: boolean;
  /** Extra dependencies whose lock entries are copied too (names from this repository's lockfile). */
  readonly extra?: readonly string[];
}

/**
 * Writes `package.json` and `package-lock.json` for a consumer project in `dir` and installs it with
 * `npm ci --offline` (no network, no install scripts).
 */
export async function installConsumer(dir: string, spec: ConsumerSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  const repoLock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const ownPackage = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const source = { ...repoLock.packages };
  const rootDeps: Record<string, string> = {};
  if (spec.tarball !== undefined) {
    rootDeps[PACKAGE_NAME] = `file:${relative(dir, spec.tarball)}`;
    const entry: LockEntry = {
      version: ownPackage.version,
      resolved: `file:${relative(dir, spec.tarball)}`,
      license: 'Apache-2.0',
    };
    if (ownPackage.dependencies) entry.dependencies = ownPackage.dependencies;
    if (ownPackage.optionalDependencies) entry.optionalDependencies = ownPackage.optionalDependencies;
    if (ownPackage.peerDependencies) entry.peerDependencies = ownPackage.peerDependencies;
    if (ownPackage.peerDependenciesMeta) entry.peerDependenciesMeta = ownPackage.peerDependenciesMeta;
    source[`node_modules/${PACKAGE_NAME}`] = entry;
  }
  const devRange = (name: string): string => {
    const version = repoLock.packages[`node_modules/${name}`]?.version;
    if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
    return version;
  };
  if (spec.aliOss) rootDeps['ali-oss'] = devRange('ali-oss');
  for (const name of spec.extra ?? []) rootDeps[name] = devRange(name);

  // Everything reachable from the root dependencies, at the lockfile paths this repository's tree uses.
  const picked: Record<string, LockEntry> = {};
  const queue: string[] = [];
  const visit = (from: string, deps: Record<string, string> | undefined, optional: Set<string>): void => {
    for (const name of Object.keys(deps ?? {})) {
      const at = resolveInLock(source, from, name);
      if (at === undefined) {
        if (optional.has(name)) continue;
        throw new Error(`cannot place ${name} required from ${from || 'the root'}`);
      }
      if (picked[at] === undefined) {
        picked[at] = source[at] as LockEntry;
        queue.push(at);
      }
    }
  };
  visit('', rootDeps, new Set());
  while (queue.length > 0) {
    const at = queue.shift() as string;
    const entry = picked[at] as LockEntry;
    const optionalPeers = new Set(
      Object.entries(entry.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional === true)
        .map(([name]) => name),
    );
    visit(at, entry.dependencies, new Set());
    visit(at, entry.optionalDependencies, new Set(Object.keys(entry.optionalDependencies ?? {})));
    // npm installs peers that are not optional; optional peers only if something else brings them.
    const required = Object.fromEntries(
      Object.entries(entry.peerDependencies ?? {}).filter(([name]) => !optionalPeers.has(name)),
    );
    visit(at, required, new Set());
  }
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: rootDeps },
  };
  for (const [at, entry] of Object.entries(picked).sort(([a], [b]) => a.localeCompare(b))) {
    const copy = { ...entry };
    delete copy.dev;
    delete copy.devOptional;
    delete copy.peer;
    packages[at] = copy;
  }
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: rootDeps }, null, 2),
  );
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Installed size and package count of a project's `node_modules`. */
export interface Footprint {
  /** Bytes of all files under node_modules (apparent sizes). */
  readonly bytes: number;
  /** Installed packages (directories with a package.json that npm placed, nested ones included). */
  readonly packages: number;
}

/**
 * Every package directory npm placed under `nodeModules` (scoped ones, and nested `node_modules` of each,
 * recursively), in directory order. Hidden entries (`.bin`, `.package-lock.json`) are skipped; a missing
 * folder lists nothing.
 */
export async function listPackageDirs(nodeModules: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const dirs = name.startsWith('@') ? (await readdir(join(folder, name))).map((scoped) => join(folder, name, scoped)) : [join(folder, name)];
      for (const dir of dirs) {
        found.push(dir);
        await walk(join(dir, 'node_modules'));
      }
    }
  };
  await walk(nodeModules);
  return found;
}

/** Measures `dir/node_modules`. */
export async function measureFootprint(dir: string): Promise<Footprint> {
  let bytes = 0;
  const sumBytes = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await sumBytes(path);
      else if (entry.isFile()) bytes += (await stat(path)).size;
    }
  };
  const packages = (await listPackageDirs(join(dir, 'node_modules'))).length;
  await sumBytes(join(dir, 'node_modules'));
  return { bytes, packages };
}
