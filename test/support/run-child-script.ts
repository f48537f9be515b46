import { spawn } from 'node:child_process';

/** How a child script ended. */
export interface ChildOutcome {
  /** Exit code (null when killed by a signal). */
  exitCode: number | null;
  /** Whether the hard kill timeout fired (the child hung). */
  killed: boolean;
  elapsedMs: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runChildScript}. */
export interface RunChildScriptOptions {
  /** Working directory (where the script finds its properties file). */
  cwd: string;
  /** A child still running after this is killed (SIGKILL), and `killed` says so. */
  killAfterMs: number;
  /** Sees each stdout line; the child's stdin is a pipe the caller may end. */
  onLine?: (line: string, child: { endStdin(): void }) => void;
}

/**
 * Runs `node <script> <args>` with a clean environment (PATH only, NODE_OPTIONS=''), the way a user runs a
 * plain script: no test runner, no loader. Used by the process-exit tests ("a script never exits with its call
 * pending, and ends by itself afterwards").
 */
export function runChildScript(script: string, args: readonly string[], options: RunChildScriptOptions): Promise<ChildOutcome> {
  const startedMs = performance.now();
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: '', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pendingLine = '';
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.killAfterMs);
  child.stdin.on('error', () => undefined); // the child may be gone before we end its stdin
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pendingLine += chunk.toString();
    for (let newline = pendingLine.indexOf('\n'); newline >= 0; newline = pendingLine.indexOf('\n')) {
      const line = pendingLine.slice(0, newline);
      pendingLine = pendingLine.slice(newline + 1);
      options.onLine?.(line, { endStdin: () => child.stdin.end() });
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(killer);
      resolve({ exitCode, killed, elapsedMs: performance.now() - startedMs, stdout, stderr });
    });
  });
}

/** A failure message for an assertion on a child: how it ended and the tail of its stderr. */
export function describeChild(outcome: ChildOutcome): string {
  return `child exited ${outcome.exitCode}${outcome.killed ? ' (killed: it hung)' : ''} after ${Math.round(outcome.elapsedMs)} ms; stderr:\n${outcome.stderr.slice(-3000)}`;
}
