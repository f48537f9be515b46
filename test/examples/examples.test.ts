import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main as basicUsage } from '../../examples/basic-usage.js';
import { main as customAkExpireHandler } from '../../examples/custom-ak-expire-handler.js';
import { main as customConfigFileName } from '../../examples/custom-config-file-name.js';
import { main as httpServerShutdown } from '../../examples/http-server-shutdown.js';
import { main as teaClient } from '../../examples/tea-client.js';

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

  it('local-emulators (shown whole in the README) runs as plain JavaScript with node, as the README says', async () => {
    // Inside the package, so 'ali-oss-managed-credentials' resolves by self-reference like an installed package.
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const dir = mkdtempSync(join(root, 'test', 'examples', '.local-mjs-'));
    try {
      const file = join(dir, 'local.mjs');
      copyFileSync(join(root, 'examples', 'local-emulators.ts'), file);
      const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: dir, timeout: 50_000 });
      expect(stdout.trim().split('\n')).toEqual([
        'stored with LTAI5tLocalExampleKey1',
        'read "hello from a rotating key" with LTAI5tLocalExampleKey2; KMS calls: 2',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  // Run as a reader would from the command line (a script, the vitest and node:test examples): the README's
  // commands, run by test/readme/readme-commands.test.ts.
});
