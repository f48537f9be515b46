import { spawn } from 'node:child_process';

/** What a finished child process printed. */
export interface ChildOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs a TypeScript file in a fresh Node process (through tsx) and resolves with its output once it exits
 * with code 0; rejects with the tail of its stderr otherwise. Used where a benchmark needs its own heap.
 */
export function runTsChild(script: string, args: readonly string[], nodeFlags: readonly string[] = []): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${script} exited with ${code}: ${stderr.trim().slice(-2000)}`));
    });
  });
}
