import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every shell command in the README's sh/bash code blocks either runs here, from the project root against the
// local emulators and the built package (as a reader who ran `npm ci && npm run build` would), or is listed
// below with the reason it is not run. A new command that is neither fails the first test.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The commands of the sh/bash/shell code blocks: one per line, `# comments` and blank lines dropped. */
function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const [, body] of markdown.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```/gm)) {
    for (const line of (body ?? '').replace(/\\\n\s*/g, ' ').split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '' && !command.startsWith('#')) commands.push(command);
    }
  }
  return commands;
}

/** Commands that run, with what their output must show. */
const RUN: Readonly<Record<string, RegExp>> = {
  'npx ali-oss-managed-credentials doctor --help': /^usage: ali-oss-managed-credentials doctor /m,
  'npx ali-oss-managed-credentials credential-process --help': /^usage: ali-oss-managed-credentials credential-process --secret NAME /m,
  'npx tsx examples/local-emulators.ts': /^read "hello from a rotating key" with LTAI5tLocalExampleKey2; KMS calls: 2$/m,
  'npx tsx examples/basic-usage.ts': /hello from a rotating key/,
  'npx vitest run --config examples/testing/vitest.config.ts': /Tests\s+2 passed \(2\)/,
  'node --import tsx --test examples/testing/emulators.node-test.ts': /^# pass 2$/m,
};

/** Commands that are not run here, and why. */
const SKIP: Readonly<Record<string, string>> = {
  // Installs the dependencies (this run already has them); the demo is run by test/cli/demo.test.ts.
  'npm ci && npm run demo': 'install + demo',
  // The same demo through the package's bin (the bin itself runs above, with `doctor --help`): six seconds of
  // workload, run with its summary checked by test/cli/demo.test.ts.
  'npx ali-oss-managed-credentials demo': 'the demo, run by test/cli',
  // The whole suite, which includes this file.
  'npm test': 'the full test suite',
  // Installs from the registry into a user's project; test/package/consumer-types.test.ts installs the packed
  // tarball offline into consumer projects instead.
  'npm install ali-oss-managed-credentials ali-oss': 'registry install',
  // Installs from the registry; the same clients (installed as dev dependencies) are tested against LocalOpenApi
  // in test/tea, and examples/tea-client.ts runs the README's path.
  'npm install ali-oss-managed-credentials @alicloud/sts20150401 @alicloud/openapi-core @alicloud/credentials': 'registry install',
  // Installs from the registry; the OpenAPI path with these packages is tested in test/kms/openapi.
  'npm install @alicloud/credentials@^2.4.7 @alicloud/openapi-client@^0.4.15 @alicloud/tea-util@^1.4.11': 'registry install',
  // A usage synopsis with placeholders, not a command; `doctor --help` (run above) prints it, and test/cli runs
  // the doctor against good and broken setups.
  'npx ali-oss-managed-credentials doctor [--config FILE] [--secret NAME] [--bucket B --endpoint E [--region R] [--oss-timeout MS]] [--json]':
    'usage synopsis',
  // The same for credential-process; test/cli/credential-process.test.ts runs it against LocalDkms, also through
  // an @alicloud/credentials profile.
  'npx ali-oss-managed-credentials credential-process --secret NAME [--config FILE]': 'usage synopsis',
};

// Generous: the commands run side by side, each a Node process compiling TypeScript, on a machine that may be busy.
const COMMAND_DEADLINE_MS = 60_000;

/** Runs `command` with sh in the project root; npx stays offline. Killed at the deadline. */
function run(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), COMMAND_DEADLINE_MS);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, output });
    });
  });
}

describe('README shell commands', () => {
  const commands = shellCommands(readme);

  it('are each run here or skipped with a reason, and both lists name only commands the README has', () => {
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((command) => !(command in RUN) && !(command in SKIP))).toEqual([]);
    expect([...Object.keys(RUN), ...Object.keys(SKIP)].filter((command) => !commands.includes(command))).toEqual([]);
    expect(Object.keys(RUN).filter((command) => command in SKIP)).toEqual([]);
  });

  describe.concurrent('run', () => {
    it.each(Object.entries(RUN))('%s', async (command, expected) => {
      const { code, output } = await run(command);
      expect(output).toMatch(expected);
      expect(code, output).toBe(0);
    }, COMMAND_DEADLINE_MS + 5_000);
  });
});
