#!/usr/bin/env node
/**
 * The `ali-oss-managed-credentials` command line: `demo`, `doctor` and `credential-process`. See {@link runCli}.
 * @packageDocumentation
 */
import { runCli } from './run-cli.js';

// No process.exit(): the process ends once every server, socket and timer is closed, which proves they are.
void runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    process.stderr.write(`error: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
