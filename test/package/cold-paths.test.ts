import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/consumer-project.js';

// What a path does not use is not loaded: checked in fresh processes through the BUILT package (by its name),
// as an ES module and as CommonJS, by listing Node's CommonJS module cache (node-forge, protobufjs and
// properties-reader are CommonJS; an ES module's imports of them land there too).
const run = promisify(execFile);

const HEAVY = `
const loaded = (name) => Object.keys(req.cache).some((p) => p.includes('/node_modules/' + name + '/'));
const report = () => ({ nodeForge: loaded('node-forge'), protobufjs: loaded('protobufjs'), propertiesReader: loaded('properties-reader'), alicloud: loaded('@alicloud') });
`;

// An application on the KMS OpenAPI path only, configured by environment variables (no properties file):
// the default cache reads the configuration, builds the OpenAPI source, and a ProxyBucket is created on it.
const openApiOnlyBody = `
const before = report();
const config = pkg.ConfigLoader.load();
const lease = pkg.acquireDefaultCacheClient(config);
const bucket = new pkg.ProxyBucket({ secretName: 'oss-ram-ak', cacheClient: lease.client, region: 'oss-cn-hangzhou', bucket: 'my-bucket' });
// The source the configuration describes, built as the cache builds it on its first fetch (this test makes no
// network call).
const source = sources.secretSourceFromConfig(config);
const after = report();
await source.close?.();
await bucket.shutdown();
await lease.release();
console.log(JSON.stringify({ before, after }));
`;
const esmOpenApiOnly = `
import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
${HEAVY}
const pkg = await import('ali-oss-managed-credentials');
const sources = await import('ali-oss-managed-credentials/sources');
${openApiOnlyBody}`;
const cjsOpenApiOnly = `
const req = require;
${HEAVY}
(async () => {
const pkg = require('ali-oss-managed-credentials');
const sources = require('ali-oss-managed-credentials/sources');
${openApiOnlyBody}
})().catch((error) => { console.error(error); process.exitCode = 1; });`;

const OPENAPI_ENV = {
  cache_client_region_id: JSON.stringify([{ regionId: 'cn-hangzhou' }]),
  credentials_type: 'ak',
  credentials_access_key_id: 'AKEXAMPLE',
  credentials_access_secret: 'example-secret',
};

async function runChild(type: 'module' | 'commonjs', code: string, env: Record<string, string>): Promise<unknown> {
  // In the repository (the package imports itself by name), which holds no managed_credentials_providers.properties.
  expect(existsSync(join(REPO_ROOT, 'managed_credentials_providers.properties'))).toBe(false);
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

describe('an OpenAPI-only application without a properties file', () => {
  it.each([
    ['ES module', 'module', esmOpenApiOnly],
    ['CommonJS', 'commonjs', cjsOpenApiOnly],
  ] as const)('%s: loads the @alicloud packages, and never node-forge, protobufjs or properties-reader', async (_name, type, code) => {
    const result = (await runChild(type, code, OPENAPI_ENV)) as { before: Record<string, boolean>; after: Record<string, boolean> };
    expect(result.before).toEqual({ nodeForge: false, protobufjs: false, propertiesReader: false, alicloud: false });
    expect(result.after).toEqual({ nodeForge: false, protobufjs: false, propertiesReader: false, alicloud: true });
  });
});
