import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OPENTELEMETRY_API_RANGE } from '../../src/telemetry/load-open-telemetry-api.js';

// @opentelemetry/api is an optional peer: importing the package loads none of it, enableOpenTelemetry() does,
// and without it enableOpenTelemetry() fails with a typed error naming the package. Checked in fresh processes
// through the built package (npm test builds first), as ES module and as CommonJS.
const run = promisify(execFile);

const LOADED = `(p) => p.includes('/@opentelemetry/')`;
const esm = `
import { createRequire } from 'node:module';
const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter(${LOADED}).length;
const pkg = await import('ali-oss-managed-credentials');
await import('ali-oss-managed-credentials/testing');
const before = loaded();
const bridge = await pkg.enableOpenTelemetry();
bridge.disable();
console.log(JSON.stringify({ before, after: loaded() }));
`;
const cjs = `
const loaded = () => Object.keys(require.cache).filter(${LOADED}).length;
const pkg = require('ali-oss-managed-credentials');
require('ali-oss-managed-credentials/testing');
const before = loaded();
pkg.enableOpenTelemetry().then((bridge) => {
  bridge.disable();
  console.log(JSON.stringify({ before, after: loaded() }));
});
`;

const report = `(error) => console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message,
  causeCode: error.cause && error.cause.code, base: error instanceof pkg.ManagedCredentialsError }))`;
const esmMissing = `
const pkg = await import('ali-oss-managed-credentials');
await pkg.enableOpenTelemetry().then(() => console.log('{}'), ${report});
`;
const cjsMissing = `
const pkg = require('ali-oss-managed-credentials');
pkg.enableOpenTelemetry().then(() => console.log('{}'), ${report});
`;
// Registers test/telemetry/hide-opentelemetry-api.mjs, which makes @opentelemetry/api unresolvable.
const HIDE_API = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(new URL('./hide-opentelemetry-api.mjs', import.meta.url).href)});`,
)}`;

describe('@opentelemetry/api loads only when enabled', () => {
  it.each([
    ['ES module', ['--input-type=module', '-e', esm]],
    ['CommonJS', ['--input-type=commonjs', '-e', cjs]],
  ] as const)('%s: importing the package loads no @opentelemetry module; enableOpenTelemetry() does', async (_name, args) => {
    const { stdout } = await run(process.execPath, [...args], { cwd: process.cwd() });
    const { before, after } = JSON.parse(stdout) as { before: number; after: number };
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });

  it.each([
    ['ES module', ['--import', HIDE_API, '--input-type=module', '-e', esmMissing]],
    ['CommonJS', ['--import', HIDE_API, '--input-type=commonjs', '-e', cjsMissing]],
  ] as const)('%s: without @opentelemetry/api, enableOpenTelemetry() rejects with a typed error naming it', async (_name, args) => {
    const { stdout } = await run(process.execPath, [...args], { cwd: process.cwd() });
    expect(JSON.parse(stdout)).toEqual({
      name: 'OpenTelemetryError',
      code: 'OpenTelemetry.PackageMissing',
      message: `enableOpenTelemetry() needs @opentelemetry/api, which is not installed: npm install @opentelemetry/api@${OPENTELEMETRY_API_RANGE}`,
      causeCode: 'ERR_MODULE_NOT_FOUND',
      base: true,
    });
  });

  it('package.json declares @opentelemetry/api as an optional peer with the range the error names', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
    };
    expect(pkg.peerDependencies['@opentelemetry/api']).toBe(OPENTELEMETRY_API_RANGE);
    expect(pkg.peerDependenciesMeta['@opentelemetry/api']?.optional).toBe(true);
    expect(pkg.dependencies['@opentelemetry/api']).toBeUndefined();
  });
});
