import { setTimeout as sleep } from 'node:timers/promises';
import { BenchStack } from './lib/stack.js';

/** Options of {@link runRotationCycles}. */
export interface RotationCyclesOptions {
  /** Calls started per 100 ms, from 500 ms before the first cycle to 2 s after the last. */
  callsPer100Ms: number;
  /** Rotate+revoke cycles, `cycleGapMs` apart. */
  cycles: number;
  cycleGapMs: number;
}

/** Result of {@link runRotationCycles}. */
export interface RotationCyclesResult {
  calls: number;
  cycles: number;
  cycleGapMs: number;
  /** Calls that rejected (target 0). */
  errors: number;
  errorCodes: Record<string, number>;
  /** GetSecretValue requests LocalDkms received meanwhile. */
  kmsCalls: number;
  /** OSS requests rejected with `InvalidAccessKeyId` (each one extra). */
  ossRejected: number;
  /** The longest a call took, ms (its deadline is `fetch_timeout` plus its OSS requests). */
  maxCallMs: number;
}

const BODY = Buffer.from('rotation cycles payload');

/**
 * Rotations close together (issue 18 finding 6): a steady stream of calls (Buffer `put`s, `get`s) while
 * the secret is rotated and the old key revoked three times, 1 s apart, so a retry signed with the second
 * key can reach OSS after that key's own revoke. The call core retries while the key keeps changing (each
 * key once), so callers should see nothing.
 */
export async function runRotationCycles(options: RotationCyclesOptions): Promise<RotationCyclesResult> {
  const stack = await BenchStack.start();
  try {
    const bucket = stack.newBucket();
    await bucket.ready();
    await bucket.put('cycles/seed.txt', BODY);
    const kmsBefore = stack.kmsCalls();
    const ossBefore = stack.oss.counters();
    const calls: Promise<number>[] = [];
    const errorCodes: Record<string, number> = {};
    let errors = 0;
    const startCall = (i: number) => {
      const t0 = performance.now();
      const call = i % 2 === 0 ? bucket.put(`cycles/${i % 50}.txt`, BODY) : bucket.get('cycles/seed.txt');
      calls.push(
        call.then(
          () => performance.now() - t0,
          (error: unknown) => {
            errors += 1;
            const code = String((error as { code?: unknown })?.code ?? 'unknown');
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            return performance.now() - t0;
          },
        ),
      );
    };
    const totalMs = 500 + (options.cycles - 1) * options.cycleGapMs + 2000;
    let n = 0;
    const driver = (async () => {
      for (let tick = 0; tick * 100 < totalMs; tick++) {
        for (let k = 0; k < options.callsPer100Ms; k++) startCall(n++);
        await sleep(100);
      }
    })();
    await sleep(500);
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      stack.rotate(true);
      if (cycle < options.cycles - 1) await sleep(options.cycleGapMs);
    }
    await driver;
    const durations = await Promise.all(calls);
    const ossAfter = stack.oss.counters();
    return {
      calls: calls.length,
      cycles: options.cycles,
      cycleGapMs: options.cycleGapMs,
      errors,
      errorCodes,
      kmsCalls: stack.kmsCalls() - kmsBefore,
      ossRejected: (ossAfter.byErrorCode.InvalidAccessKeyId ?? 0) - (ossBefore.byErrorCode.InvalidAccessKeyId ?? 0),
      maxCallMs: Math.round(Math.max(...durations)),
    };
  } finally {
    await stack.close();
  }
}
