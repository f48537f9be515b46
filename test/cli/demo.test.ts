import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createCliOutput, createMemoryOutput } from '../../src/cli/cli-output.js';
import { DEMO_SECRET_NAME } from '../../src/cli/demo/demo-scenario.js';
import { runDemo } from '../../src/cli/demo/run-demo.js';
import type { LocalDkms } from '../../src/testing/dkms/index.js';

const MAIN = fileURLToPath(new URL('../../dist/esm/cli/main.js', import.meta.url));

describe('demo', () => {
  it('keeps the workload error-free across two revoking rotations, prints no secret and cleans up', async () => {
    const output = createMemoryOutput();
    let dkms: LocalDkms | undefined;
    let configFile = '';
    const result = await runDemo({
      output,
      durationMs: 2400,
      workers: 3,
      onEmulators: (emulators) => {
        dkms = emulators.dkms;
        configFile = emulators.configFile;
      },
    });

    expect(result.exitCode).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.rotations).toBe(2);
    expect(result.rotateEvents).toBe(2);
    // One first load, one refresh per rotation, plus the injected 503 the source retried.
    expect(result.kmsCalls).toBe(4);
    expect(result.kmsFailuresInjected).toBe(1);
    expect(result.retries).toBeGreaterThanOrEqual(2);
    expect(result.objectsStored).toBeGreaterThan(0);
    expect(result.calls).toBeGreaterThan(result.objectsStored);

    const text = output.text();
    expect(text).toMatch(/event rotate LTAI5tDemo1\w+ -> LTAI5tDemo2\w+ \(forced\)/);
    expect(text).toMatch(/errors seen by the workload\s+0/);
    expect(text).not.toContain('\x1b[');

    // Secrets: every AccessKeySecret the secret ever held, the ClientKey password and private key.
    const versions = dkms!.store.listVersions(DEMO_SECRET_NAME);
    expect(versions).toHaveLength(3);
    const secrets = [
      ...versions.map((v) => (JSON.parse(v.secretData) as { AccessKeySecret: string }).AccessKeySecret),
      dkms!.clientKey.password,
    ];
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('PRIVATE KEY');

    // The servers are stopped and the temporary folder is gone.
    expect(existsSync(configFile)).toBe(false);
    await expect(fetch(`https://${dkms!.endpoint}/`)).rejects.toThrow();
  });

  it('shows a status line and colour on a terminal, and no colour with NO_COLOR', () => {
    const written: string[] = [];
    const tty = createCliOutput({ write: (t: string) => written.push(t), isTTY: true }, {});
    expect(tty.color).toBe(true);
    tty.status('12 calls');
    tty.line('event');
    expect(written.join('')).toBe('12 calls\r\x1b[2Kevent\n');
    expect(createCliOutput({ write: () => true, isTTY: true }, { NO_COLOR: '1' }).color).toBe(false);
    const plain = createCliOutput({ write: (t: string) => written.push(t) }, {});
    plain.status('dropped');
    expect(plain.color).toBe(false);
    expect(written.join('')).not.toContain('dropped');
  });

  it('runs as the built CLI without a terminal, exits 0 on its own and prints the summary without ANSI', async () => {
    const child = spawn(process.execPath, [MAIN, 'demo'], { env: { ...process.env, NO_COLOR: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // No process.exit() in the CLI: 'exit' only comes once every handle is closed.
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OK: 2 rotations with revocation, 0 errors for the workload/m);
    expect(stdout).toMatch(/KMS calls \(GetSecretValue\)\s+4/);
    expect(stdout).not.toContain('\x1b[');
  }, 45_000);
});
