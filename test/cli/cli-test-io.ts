import type { CliEnvironment } from '../../src/cli/run-cli.js';

/** A CLI environment whose stdout and stderr are collected in memory (not a terminal). */
export function collectingEnvironment(env: Record<string, string | undefined> = {}): CliEnvironment & {
  out(): string;
  err(): string;
} {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout: { write: (text: string) => stdout.push(text), isTTY: false },
    stderr: { write: (text: string) => stderr.push(text), isTTY: false },
    env,
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}
