import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main as basicUsage } from '../../examples/basic-usage.js';
import { main as customAkExpireHandler } from '../../examples/custom-ak-expire-handler.js';
import { main as customConfigFileName } from '../../examples/custom-config-file-name.js';
import { main as httpServerShutdown } from '../../examples/http-server-shutdown.js';
import { main as teaClient } from '../../examples/tea-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `node <args>` in the project root; resolves with the exit code and the output. */
function runNode(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

// The examples import the package by name (the built package, via self-reference), like user code.
describe('examples', () => {
  it('basic-usage stores, reads and lists through a ProxyBucket configured by a properties file', async () => {
    const result = await basicUsage();
    expect(result.read).toBe('hello from a rotating key');
    expect(result.listed).toEqual(['reports/2026-11-29.txt', 'reports/2026-11-30.txt']);
    expect(result.accessKeyId).toMatch(/^LTAI5tExample/);
  });

  it('custom-ak-expire-handler judges the revoked key once and the upload after the rotation succeeds', async () => {
    const result = await customAkExpireHandler();
    expect(result.rejectedKeys).toBe(1);
    expect(result.keyAfter).not.toBe(result.keyBefore);
    expect(result.stored).toEqual(['after-rotation.txt', 'before-rotation.txt']);
  });

  it('custom-config-file-name loads the file by its custom name', async () => {
    const result = await customConfigFileName();
    expect(result.configFile).toMatch(/my-service\.kms\.properties$/);
    expect(result.secretNames).toEqual(['oss-ram-ak']);
    expect(result.stored).toEqual(['configured-by-name.txt']);
  });

  it('http-server-shutdown serves a PUT and a GET, then closes the server and releases the bucket', async () => {
    const result = await httpServerShutdown();
    expect(result).toEqual({ putStatus: 201, body: 'hello over http', stored: ['greeting.txt'], listeningAfterShutdown: false });
  });

  it('tea-client calls STS through a managed Tea client across a rotate + revoke', async () => {
    const result = await teaClient();
    expect(result.before).toMatch(/^ram-user-with-LTAI5tExample/);
    expect(result.after).toMatch(/^ram-user-with-LTAI5tExample/);
    expect(result.after).not.toBe(result.before);
    expect(result.requests).toEqual([
      `${result.before?.slice('ram-user-with-'.length)} -> 200`,
      `${result.before?.slice('ram-user-with-'.length)} -> InvalidAccessKeyId.NotFound`,
      `${result.after?.slice('ram-user-with-'.length)} -> 200`,
    ]);
  });

  it('the node:test example passes under node --test', async () => {
    const { code, output } = await runNode(['--import', 'tsx', '--test', 'examples/testing/emulators.node-test.ts']);
    expect(output).toMatch(/^# pass 2$/m);
    expect(output).toMatch(/^# fail 0$/m);
    expect(code).toBe(0);
  }, 45_000);

  it('the vitest example passes under its own vitest config', async () => {
    const { code, output } = await runNode(['node_modules/vitest/vitest.mjs', 'run', '--config', 'examples/testing/vitest.config.ts']);
    expect(output).toMatch(/Tests\s+2 passed \(2\)/);
    expect(code).toBe(0);
  }, 45_000);

  it('an example runs as a script and exits 0 on its own', async () => {
    const { code, output } = await runNode(['--import', 'tsx', 'examples/basic-usage.ts']);
    expect(output).toContain("read: 'hello from a rotating key'");
    expect(code).toBe(0);
  }, 45_000);
});
