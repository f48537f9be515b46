import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MemoryChildResult } from './memory-child.js';

/** Options of {@link runMemory}. */
export interface MemoryOptions {
  /** ProxyBucket calls measured (after a warm-up). */
  calls: number;
  /** Rotations spread evenly over the calls (each revokes the old key in LocalOss). */
  rotations: number;
}

/** Result of {@link runMemory}: the child's figures. */
export type MemoryResult = MemoryChildResult;

const CHILD = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

/**
 * Heap and RSS growth over many calls and rotations, and open handles after shutdown, measured in a fresh
 * child process with `--expose-gc` (gc forced before each reading) so the parent's own heap does not blur
 * the figures. See `memory-child.ts` for the workload.
 */
export function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', CHILD, String(options.calls), String(options.rotations)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`memory benchmark child exited with ${code}: ${stderr.trim().slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as MemoryResult);
    });
  });
}
