import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installConsumer, listPackageDirs, packTarball, REPO_ROOT } from '../../scripts/consumer-project.js';

// The packed tarball, installed offline into a fresh project (no devDependencies of ours, no extra installs),
// compiled by this repository's TypeScript with skipLibCheck off in each module resolution, then run against
// the emulators from the compiled output as an ES module and as CommonJS.
const run = promisify(execFile);
const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
// tshy builds with the newest TypeScript release (6.x, where `types` defaults to []).
const NEWEST_TSC = join(REPO_ROOT, 'node_modules/tshy/node_modules/typescript/bin/tsc');
const NEWEST_PROJECT = 'tsconfig.esm-nodenext.newest.json';
// The oldest TypeScript we claim: 5.4. `npm ci` brings it through the devDependency `typescript-5.4`, a local
// package (test/package/typescript-5.4) that depends on it, so its tsc stays out of node_modules/.bin.
const OLDEST_TYPESCRIPT = join(REPO_ROOT, 'node_modules/typescript-5.4/node_modules/typescript');
const OLDEST_TSC = join(OLDEST_TYPESCRIPT, 'bin/tsc');
const OLDEST_MODES = ['esm-nodenext', 'cjs-node10'] as const;
const oldestProject = (mode: string): string => `tsconfig.${mode}.ts54.json`;

// One consumer program; written with the extension each mode needs. It uses only module names that every
// @types/node it may meet declares (no `node:` prefix), and touches what a user touches first.
const CONSUMER = `
import OSS from 'ali-oss';
import { ConfigLoader, OssAKExpireHandler, ProxyBucket, SecretCacheClient } from 'ali-oss-managed-credentials';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';
import * as fs from 'fs';
import * as path from 'path';

async function main(): Promise<void> {
  const key = { accessKeyId: 'AKCONSUMER1', accessKeySecret: 'consumer-secret-1' };
  const dkms = await LocalDkms.start();
  const oss = await LocalOss.start({ buckets: ['consumer-bucket'], keys: [key] });
  dkms.setRamCredential('consumer-ak', key);
  const dir = await fs.promises.mkdtemp(path.join(process.cwd(), 'run-'));
  const files = await dkms.writeClientFiles(dir);
  const instance = {
    regionId: 'cn-hangzhou',
    endpoint: dkms.endpoint,
    clientKeyFile: files.clientKeyFile,
    passwordFromFilePath: files.passwordFile,
    caFilePath: files.caFile,
  };
  const configFile = path.join(dir, 'managed_credentials_providers.properties');
  await fs.promises.writeFile(configFile, 'cache_client_dkms_config_info=[' + JSON.stringify(instance) + ']\\n');
  ConfigLoader.setConfigName(configFile);
  const bucket = new ProxyBucket({
    ...oss.clientOptions('consumer-bucket'),
    secretName: 'consumer-ak',
    akExpireHandler: new OssAKExpireHandler(['InvalidAccessKeyId']),
  });
  const client: OSS = bucket; // assignable to the ali-oss client type
  const getCredential: SecretCacheClient['getCredential'] | undefined = undefined;
  void getCredential;
  await client.put('hello.txt', Buffer.from('hello from a consumer'));
  const result = await client.get('hello.txt');
  console.log(String(result.content));
  await bucket.shutdown();
  await Promise.all([dkms.stop(), oss.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

const COMMON = {
  strict: true,
  skipLibCheck: false,
  esModuleInterop: true,
  target: 'ES2022',
  noEmitOnError: true,
  // TypeScript's own lib files only; our declarations and every @types package are still checked.
  skipDefaultLibCheck: true,
};

/** One compilation: a tsconfig in the consumer project. */
interface Mode {
  readonly name: string;
  readonly compilerOptions: Record<string, unknown>;
  readonly files: readonly string[];
  /** The compiled file to run, when this mode also runs against the emulators. */
  readonly runs?: string;
}

const MODES: readonly Mode[] = [
  {
    name: 'esm-node16',
    compilerOptions: { module: 'node16', moduleResolution: 'node16', noEmit: true },
    files: ['src/consumer.mts'],
  },
  {
    name: 'esm-nodenext',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out/nodenext' },
    files: ['src/consumer.mts', 'src/consumer.cts'],
    runs: 'out/nodenext/consumer.mjs',
  },
  {
    name: 'esm-bundler',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', noEmit: true },
    files: ['src/consumer-bundler.ts'],
  },
  {
    name: 'cjs-node10',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10', outDir: 'out/node10' },
    files: ['src/consumer-node10.ts'],
    runs: 'out/node10/consumer-node10.js',
  },
];

let root: string;
let app: string;
/** Versions of every @types/node the install placed, and where. */
let typesNode: Array<{ version: string; dir: string }>;

// Compilations are CPU-bound; run two at a time, started as soon as the project is installed.
const slots: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
let nextSlot = 0;
const compilations = new Map<string, Promise<{ ok: boolean; output: string }>>();

function compile(project: string, compiler = TSC): Promise<{ ok: boolean; output: string }> {
  const existing = compilations.get(project);
  if (existing !== undefined) return existing;
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % slots.length;
  const result = (slots[slot] as Promise<void>).then(() => tsc(project, compiler));
  slots[slot] = result.then(() => undefined);
  compilations.set(project, result);
  return result;
}

async function tsc(project: string, compiler: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [compiler, '-p', project], { cwd: app });
    return { ok: true, output: stdout };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

/** Every @types/node the install placed (hoisted or nested), with its version. */
async function findTypesNode(nodeModules: string): Promise<Array<{ version: string; dir: string }>> {
  const dirs = (await listPackageDirs(nodeModules)).filter((dir) => dir.endsWith(`${sep}@types${sep}node`));
  return Promise.all(
    dirs.map(async (dir) => ({ dir, version: (JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }).version })),
  );
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ali-oss-mc-consumer-'));
  const tarball = await packTarball(join(root, 'pack'));
  app = join(root, 'app');
  await installConsumer(app, { tarball: tarball.file, aliOss: true });
  await mkdir(join(app, 'src'));
  for (const file of ['consumer.mts', 'consumer.cts', 'consumer-bundler.ts', 'consumer-node10.ts']) {
    await writeFile(join(app, 'src', file), CONSUMER);
  }
  for (const mode of MODES) {
    await writeFile(
      join(app, `tsconfig.${mode.name}.json`),
      JSON.stringify({ compilerOptions: { ...COMMON, ...mode.compilerOptions }, files: mode.files }, null, 2),
    );
  }
  typesNode = await findTypesNode(join(app, 'node_modules'));
  typesNode.sort((x, y) => Number(y.version.split('.')[0]) - Number(x.version.split('.')[0]));
  const newest = typesNode[0];
  if (newest !== undefined) {
    // Point the automatic type inclusion at that copy only, as if npm had hoisted it to the top.
    await mkdir(join(app, 'newest-types'));
    await symlink(newest.dir, join(app, 'newest-types', 'node'), 'dir');
    const nodenext = MODES.find((m) => m.name === 'esm-nodenext') as Mode;
    const compilerOptions: Record<string, unknown> = {
      ...COMMON,
      ...nodenext.compilerOptions,
      noEmit: true,
      typeRoots: ['./newest-types'],
    };
    delete compilerOptions['outDir'];
    await writeFile(join(app, NEWEST_PROJECT), JSON.stringify({ compilerOptions, files: nodenext.files }, null, 2));
  }
  for (const name of OLDEST_MODES) {
    const mode = MODES.find((m) => m.name === name) as Mode;
    const compilerOptions: Record<string, unknown> = { ...COMMON, ...mode.compilerOptions, noEmit: true };
    delete compilerOptions['outDir'];
    await writeFile(join(app, oldestProject(name)), JSON.stringify({ compilerOptions, files: mode.files }, null, 2));
  }
  // Start every compilation now; each test awaits its own.
  for (const mode of MODES) void compile(`tsconfig.${mode.name}.json`);
  if (newest !== undefined) void compile(NEWEST_PROJECT, NEWEST_TSC);
  for (const name of OLDEST_MODES) void compile(oldestProject(name), OLDEST_TSC);
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('the packed tarball in a consumer project', () => {
  it('installs the types a consumer needs, and ali-oss once (the peer, not a copy of our own)', async () => {
    const names = await readdir(join(app, 'node_modules/@types'));
    expect(names).toContain('ali-oss');
    await expect(readdir(join(app, 'node_modules/ali-oss-managed-credentials/node_modules/ali-oss'))).rejects.toThrow();
  });

  it('installs no @alicloud package for a DKMS-only application, and says what to install for regions', async () => {
    await expect(readdir(join(app, 'node_modules/@alicloud'))).rejects.toThrow();
    const script = `
      const { OpenApiSecretSource } = require('ali-oss-managed-credentials');
      try {
        new OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: { type: 'ak', accessKeyId: 'AK', accessKeySecret: 'S' } });
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
      }`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: app });
    const error = JSON.parse(stdout) as { name: string; code: string; message: string };
    expect(error.name).toBe('OpenApiSourceConfigError');
    expect(error.code).toBe('OpenApiConfig.PackagesMissing');
    expect(error.message).toContain('npm install @alicloud/credentials@');
  });

  it.each(MODES.map((m) => [m.name, m] as const))('type-checks with skipLibCheck off: %s', async (_name, mode) => {
    const { ok, output } = await compile(`tsconfig.${mode.name}.json`);
    expect(output).toBe('');
    expect(ok).toBe(true);
  }, 90_000);

  it('type-checks with the newest TypeScript (6.x: `types` defaults to []) and the newest @types/node in the tree (nodenext)', async () => {
    const newest = typesNode[0];
    expect(newest, 'some package brings @types/node').toBeDefined();
    const { ok, output } = await compile(NEWEST_PROJECT, NEWEST_TSC);
    expect(output).toBe('');
    expect(ok).toBe(true);
  }, 90_000);

  it.each(OLDEST_MODES)('type-checks with the oldest TypeScript we claim (5.4), skipLibCheck off: %s', async (name) => {
    const { version } = JSON.parse(await readFile(join(OLDEST_TYPESCRIPT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^5\.4\./);
    const { ok, output } = await compile(oldestProject(name), OLDEST_TSC);
    expect(output).toBe('');
    expect(ok).toBe(true);
  }, 90_000);

  it.each(MODES.filter((m) => m.runs !== undefined).map((m) => [m.name, m] as const))(
    'runs put/get against the emulators from the compiled consumer: %s',
    async (_name, mode) => {
      // The type-check emits it (noEmitOnError: a failed check leaves nothing to run).
      const { ok, output } = await compile(`tsconfig.${mode.name}.json`);
      expect(output).toBe('');
      expect(ok).toBe(true);
      const { stdout } = await run(process.execPath, [mode.runs as string], { cwd: app, timeout: 30_000 });
      expect(stdout.trim()).toBe('hello from a consumer');
    },
    60_000,
  );
});
