import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OPENAPI_PACKAGE_RANGES } from '../../src/kms/openapi/open-api-packages.js';

// The KMS OpenAPI path's packages (@alicloud/*, and what they bring) load only when an OpenAPI source is built,
// not when the package is imported: a DKMS-only application never loads them. Checked in fresh processes
// through the built package, as ES module and as CommonJS (both share Node's CommonJS module cache).
const run = promisify(execFile);

const esm = `
import { createRequire } from 'node:module';
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/@alicloud/')).length;
await import('ali-oss-managed-credentials');
const pkg = await import('ali-oss-managed-credentials/sources');
await import('ali-oss-managed-credentials/testing');
const before = loaded();
const source = new pkg.OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: { type: 'ak', accessKeyId: 'AK', accessKeySecret: 'S' } });
source.close();
console.log(JSON.stringify({ before, after: loaded() }));
`;
const cjs = `
const loaded = () => Object.keys(require.cache).filter((p) => p.includes('/@alicloud/')).length;
require('ali-oss-managed-credentials');
const pkg = require('ali-oss-managed-credentials/sources');
require('ali-oss-managed-credentials/testing');
const before = loaded();
const source = new pkg.OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: { type: 'ak', accessKeyId: 'AK', accessKeySecret: 'S' } });
source.close();
console.log(JSON.stringify({ before, after: loaded() }));
`;

describe('the OpenAPI path loads lazily', () => {
  it.each([
    ['ES module', ['--input-type=module', '-e', esm]],
    ['CommonJS', ['--input-type=commonjs', '-e', cjs]],
  ] as const)('%s: importing the package loads no @alicloud module; the first OpenApiSecretSource does', async (_name, args) => {
    const { stdout } = await run(process.execPath, [...args], { cwd: process.cwd() });
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });
});

describe('the OpenAPI packages are optional peers', () => {
  it('package.json declares exactly the packages and ranges the loader names in its install hint', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    for (const [name, range] of Object.entries(OPENAPI_PACKAGE_RANGES)) {
      expect(pkg.peerDependencies[name], name).toBe(range);
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(pkg.dependencies[name], name).toBeUndefined();
    }
  });
});
