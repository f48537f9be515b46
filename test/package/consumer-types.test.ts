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
import { systemClock, type SecretSource } from 'ali-oss-managed-credentials/sources';
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
  const source: SecretSource | undefined = undefined; // the subpath's types resolve in every mode
  void source;
  if (!(systemClock.now() > 0)) throw new Error('clock');
  await client.put('hello.txt', Buffer.from('hello from a consumer'));
  const result = await client.get('hello.txt');
  console.log(String(result.content));
  await bucket.shutdown();
  await Promise.all([dkms.close(), oss.close()]);
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

// A consumer with a Tea SDK client: @alicloud/sts20150401 brings @alicloud/tea-typescript, which depends on
// @types/node 12. When npm hoists that copy to the top (as it did for a user, issue 19), it is the one every
// `/// <reference types="node" />` and every automatic type inclusion finds. `hoisted-types/node` points at it,
// and `typeRoots` makes it the only @types/node the compiler sees, as the hoisted layout does.
const TEA_CONSUMER = `
import Sts from '@alicloud/sts20150401';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import OSS from 'ali-oss';
import { createManagedClient, ProxyBucket, SecretCacheClient } from 'ali-oss-managed-credentials';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';

export async function main(): Promise<void> {
  const dkms = await LocalDkms.start();
  const oss = await LocalOss.start({ buckets: ['consumer-bucket'] });
  const sts = createManagedClient(Sts, new $OpenApiUtil.Config({ endpoint: 'sts.aliyuncs.com' }), { secretName: 'tea-ak' });
  void sts;
  const bucket = new ProxyBucket({ ...oss.clientOptions('consumer-bucket'), secretName: 'consumer-ak' });
  const client: OSS = bucket;
  void client;
  const getCredential: SecretCacheClient['getCredential'] | undefined = undefined;
  void getCredential;
  await bucket[Symbol.asyncDispose]();
  await Promise.all([dkms.close(), oss.close()]);
}

// Cache events stay typed by their map, whichever @types/node the compiler sees.
export function listen(cache: SecretCacheClient): void {
  cache.on('refresh', (event) => {
    const name: string = event.secretName;
    void name;
  });
  // @ts-expect-error -- not an event of SecretCacheClient
  cache.on('no-such-event', () => undefined);
}
`;
const TEA_MODES = [
  { name: 'tea-esm-nodenext', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['src/tea.mts'] },
  { name: 'tea-cjs-node10', compilerOptions: { module: 'commonjs', moduleResolution: 'node10' }, files: ['src/tea-node10.ts'] },
] as const;
/**
 * Errors of the Tea consumer's compilation that are not in our package or the consumer's own code: the Tea
 * packages' own declarations fail with skipLibCheck off (e.g. @darabonba/typescript imports `ws`, which has no
 * types); a user with skipLibCheck off meets those whatever we ship.
 */
const isThirdParty = (line: string): boolean => /^node_modules\/(?!ali-oss-managed-credentials\/)/.test(line);

let root: string;
let app: string;
let teaApp: string;
let teaTypesNode: string;
/** Versions of every @types/node the install placed, and where. */
let typesNode: Array<{ version: string; dir: string }>;

// Compilations are CPU-bound; run two at a time, started as soon as the project is installed.
const slots: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
let nextSlot = 0;
const compilations = new Map<string, Promise<{ ok: boolean; output: string }>>();

function compile(project: string, compiler = TSC, cwd?: string): Promise<{ ok: boolean; output: string }> {
  const existing = compilations.get(project);
  if (existing !== undefined) return existing;
  const slot = nextSlot;
  nextSlot = (nextSlot + 1) % slots.length;
  const result = (slots[slot] as Promise<void>).then(() => tsc(project, compiler, cwd ?? app));
  slots[slot] = result.then(() => undefined);
  compilations.set(project, result);
  return result;
}

async function tsc(project: string, compiler: string, cwd: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [compiler, '-p', project], { cwd });
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
  teaApp = join(root, 'tea-app');
  await Promise.all([
    installConsumer(app, { tarball: tarball.file, aliOss: true }),
    installConsumer(teaApp, { tarball: tarball.file, aliOss: true, extra: ['@alicloud/sts20150401', '@alicloud/openapi-core'] }),
  ]);
  const old = (await findTypesNode(join(teaApp, 'node_modules'))).find((t) => t.version.startsWith('12.'));
  if (old === undefined) throw new Error('the Tea client no longer brings @types/node 12; the test needs another old copy');
  teaTypesNode = old.version;
  await mkdir(join(teaApp, 'src'));
  await mkdir(join(teaApp, 'hoisted-types'));
  await symlink(old.dir, join(teaApp, 'hoisted-types', 'node'), 'dir');
  for (const file of ['tea.mts', 'tea-node10.ts']) await writeFile(join(teaApp, 'src', file), TEA_CONSUMER);
  for (const mode of TEA_MODES) {
    const compilerOptions = { ...COMMON, ...mode.compilerOptions, noEmit: true, typeRoots: ['./hoisted-types'] };
    await writeFile(join(teaApp, `tsconfig.${mode.name}.json`), JSON.stringify({ compilerOptions, files: mode.files }, null, 2));
  }
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
  for (const mode of TEA_MODES) void compile(`tsconfig.${mode.name}.json`, TSC, teaApp);
}, 180_000);

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
      const { OpenApiSecretSource } = require('ali-oss-managed-credentials/sources');
      try {
        new OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: { type: 'ak', accessKeyId: 'AK', accessKeySecret: 'S' } });
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
      }`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: app });
    const error = JSON.parse(stdout) as { name: string; code: string; message: string };
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('ConfigError.PackagesMissing');
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

describe('the packed tarball beside a Tea SDK client that brings @types/node 12 (hoisted)', () => {
  it.each(TEA_MODES.map((m) => [m.name, m] as const))('our declarations and the consumer compile with skipLibCheck off: %s', async (_name, mode) => {
    expect(teaTypesNode).toMatch(/^12\./);
    const { output } = await compile(`tsconfig.${mode.name}.json`, TSC, teaApp);
    // Diagnostics start a line with the file; continuation lines are indented.
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line));
    const ours = errors.filter((line) => !isThirdParty(line));
    expect(ours).toEqual([]);
  }, 90_000);
});
