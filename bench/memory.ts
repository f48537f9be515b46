import { fileURLToPath } from 'node:url';
import { runTsChild } from './lib/run-ts-child.js';
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
export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  const { stdout } = await runTsChild(CHILD, [String(options.calls), String(options.rotations)], ['--expose-gc']);
  const line = stdout.trim().split('\n').pop() ?? '';
  if (line === '') throw new Error('memory benchmark child printed no result');
  return JSON.parse(line) as MemoryResult;
}
