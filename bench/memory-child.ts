/**
 * Child process of the memory and open-handle benchmark (run by `memory.ts` with `--expose-gc`, so
 * measurements are not disturbed by the parent's heap). Prints one JSON line: a {@link MemoryChildResult}.
 */
import { SecretCacheClient } from '../src/cache/index.js';
import { ProxyBucket } from '../src/oss/index.js';
import { LocalOss } from '../src/testing/oss/index.js';
import { runPool, sleepMs } from './lib/measure.js';
import { RotatingSecretSource } from './lib/rotating-secret-source.js';
import { BenchStack, BUCKET_NAME, newKey, SECRET_NAME } from './lib/stack.js';

/** What the child reports. */
export interface MemoryChildResult {
  calls: number;
  rotations: number;
  errors: number;
  /** GetSecretValue calls of the in-memory source (about one per rotation). */
  kmsCalls: number;
  heapGrowthBytes: number;
  rssGrowthBytes: number;
  /** heapUsed after gc at 0%, 25%, 50%, 75%, 100% of the calls, relative to the start, bytes. */
  heapTrailBytes: number[];
  /** Active resources before anything started and after everything was shut down. */
  resourcesBefore: string[];
  resourcesAfter: string[];
  /** Resources present after but not before (multiset difference). */
  newResources: string[];
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settleAndCollect(): Promise<NodeJS.MemoryUsage> {
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    await sleepMs(10);
    gc();
  }
  return process.memoryUsage();
}

async function memoryPhase(calls: number, rotations: number) {
  const oss = await LocalOss.start({ buckets: [BUCKET_NAME], maxLogEntries: 100 });
  let key = newKey();
  oss.keys.add(key);
  const source = new RotatingSecretSource(SECRET_NAME, key);
  // Every rotation is discovered through a rejected call and a forced refresh; rotations come faster than the
  // recovery pace allows (1 KMS call/s), so the minimum interval is lifted here.
  const cache = new SecretCacheClient({ source, recovery: { minIntervalMs: 0 } });
  const bucket = new ProxyBucket({ secretName: SECRET_NAME, cacheClient: cache, ...oss.clientOptions(BUCKET_NAME) });
  const body = Buffer.from('memory benchmark object');
  let errors = 0;
  const rotate = () => {
    const next = newKey();
    oss.keys.add(next);
    oss.keys.revoke(key.accessKeyId);
    source.rotate(next);
    key = next;
  };
  const callsPerRotation = Math.max(1, Math.floor(calls / Math.max(1, rotations)));
  const runCalls = async (count: number, offset: number) => {
    await runPool(count, 16, async (i) => {
      const n = offset + i;
      if (n > 0 && n % callsPerRotation === 0) rotate();
      try {
        if (n % 10 === 0) await bucket.put(`mem/${n % 8}.txt`, body);
        else await bucket.head(`mem/${n % 8}.txt`);
      } catch {
        errors++;
      }
    });
  };
  for (let i = 0; i < 8; i++) await bucket.put(`mem/${i}.txt`, body);
  // Warm-up (JIT, sockets, lazily built structures), then the baseline.
  await runCalls(Math.min(5000, calls), 1);
  errors = 0;
  const callsBefore = source.calls;
  const start = await settleAndCollect();
  const trail = [0];
  const quarter = Math.ceil(calls / 4);
  for (let done = 0; done < calls; done += quarter) {
    await runCalls(Math.min(quarter, calls - done), done + 1);
    trail.push((await settleAndCollect()).heapUsed - start.heapUsed);
  }
  const end = await settleAndCollect();
  await bucket.shutdown();
  await cache.close();
  await oss.close();
  return {
    calls,
    rotations: Math.floor(calls / callsPerRotation),
    errors,
    kmsCalls: source.calls - callsBefore,
    heapGrowthBytes: end.heapUsed - start.heapUsed,
    rssGrowthBytes: end.rss - start.rss,
    heapTrailBytes: trail,
  };
}

/** The full real stack (LocalDkms over TLS, DKMS source, cache, ProxyBuckets, LocalOss), used then shut down. */
async function handlesPhase(): Promise<void> {
  const stack = await BenchStack.start();
  const buckets = [stack.newBucket(), stack.newBucket()];
  await Promise.all(buckets.map((b) => b.ready()));
  await buckets[0]!.put('handles.txt', Buffer.from('h'));
  stack.rotate(true);
  await Promise.all(buckets.map((b) => b.head('handles.txt')));
  await stack.close();
}

function multisetDifference(after: string[], before: string[]): string[] {
  const left = new Map<string, number>();
  for (const r of before) left.set(r, (left.get(r) ?? 0) + 1);
  const extra: string[] = [];
  for (const r of after) {
    const n = left.get(r) ?? 0;
    if (n > 0) left.set(r, n - 1);
    else extra.push(r);
  }
  return extra;
}

async function main(): Promise<void> {
  const [calls, rotations] = [Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1000)];
  const resourcesBefore = process.getActiveResourcesInfo();
  const memory = await memoryPhase(calls, rotations);
  await handlesPhase();
  await sleepMs(50);
  const resourcesAfter = process.getActiveResourcesInfo();
  const result: MemoryChildResult = {
    ...memory,
    resourcesBefore,
    resourcesAfter,
    newResources: multisetDifference(resourcesAfter, resourcesBefore),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`memory benchmark failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
