import type { RefreshTrigger } from '../src/cache/index.js';
import { VirtualClock } from '../test/support/virtual-clock.js';
import { runPool, sleepMs } from './lib/measure.js';
import { BenchStack, SECRET_NAME } from './lib/stack.js';

/** Options of {@link runSharedCacheKmsLoad}. */
export interface SharedCacheKmsLoadOptions {
  /** How many ProxyBuckets share the cache, one run each. */
  bucketCounts: readonly number[];
  /** Virtual time simulated per run. */
  simulatedHours: number;
  /** Every bucket makes one real OSS call this often (virtual minutes). */
  callEveryMinutes: number;
}

/** One run of {@link runSharedCacheKmsLoad}. */
export interface SharedCacheKmsLoadRun {
  buckets: number;
  /** Real OSS calls made by all buckets (every one must succeed). */
  ossCalls: number;
  errors: number;
  /** GetSecretValue requests LocalDkms received, the first load included. */
  kmsCalls: number;
  /** Fetches by trigger, from the cache's `refresh` events. */
  byTrigger: Partial<Record<RefreshTrigger, number>>;
  /** Refresh intervals (rotation_interval, 6 h) in the simulated time. */
  intervals: number;
  /** (kmsCalls - first load) / intervals: target 1, whatever the bucket count. */
  kmsCallsPerSecretPerInterval: number;
}

/** Result of {@link runSharedCacheKmsLoad}. */
export interface SharedCacheKmsLoadResult {
  simulatedHours: number;
  callEveryMinutes: number;
  runs: SharedCacheKmsLoadRun[];
}

const HOUR_MS = 60 * 60 * 1000;
const ROTATION_INTERVAL_MS = 6 * HOUR_MS; // the cache's default rotation_interval

/**
 * KMS calls per secret per refresh interval when 1, 10, 100 ProxyBuckets share one SecretCacheClient. The
 * cache, the DKMS source and LocalDkms run on a virtual clock, so days pass in seconds while the KMS and OSS
 * traffic stays real (HTTPS to LocalDkms, HTTP to LocalOss). Halfway the secret rotates (KMS and OSS get the
 * new key; the old one is revoked 30 min later, after the cache's rotation-aware refresh at
 * NextRotationDate + 5 min + jitter).
 */
export async function runSharedCacheKmsLoad(options: SharedCacheKmsLoadOptions): Promise<SharedCacheKmsLoadResult> {
  const runs: SharedCacheKmsLoadRun[] = [];
  for (const buckets of options.bucketCounts) runs.push(await runOnce(buckets, options));
  return { simulatedHours: options.simulatedHours, callEveryMinutes: options.callEveryMinutes, runs };
}

async function runOnce(bucketCount: number, options: SharedCacheKmsLoadOptions): Promise<SharedCacheKmsLoadRun> {
  const clock = new VirtualClock(Date.now());
  const durationMs = options.simulatedHours * HOUR_MS;
  const rotationAtMs = clock.now() + durationMs / 2;
  // NextRotationDate lands halfway, as KMS would announce it.
  const stack = await BenchStack.start({ clock, rotationIntervalMs: durationMs / 2 });
  const byTrigger: Partial<Record<RefreshTrigger, number>> = {};
  stack.cache.on('refresh', (event) => {
    byTrigger[event.trigger] = (byTrigger[event.trigger] ?? 0) + 1;
  });
  try {
    const buckets = Array.from({ length: bucketCount }, () => stack.newBucket());
    await Promise.all(buckets.map((b) => b.ready()));
    await buckets[0]!.put('kms-load.txt', Buffer.from('x'));

    const endMs = clock.now() + durationMs;
    const events: Array<{ atMs: number; run: () => void | Promise<void> }> = [];
    let ossCalls = 0;
    let errors = 0;
    let previousKeyId: string | undefined;
    for (let t = clock.now(); t < endMs; t += options.callEveryMinutes * 60_000) {
      events.push({
        atMs: t,
        run: () =>
          runPool(buckets.length, 64, async (i) => {
            ossCalls++;
            await buckets[i]!.head('kms-load.txt').catch(() => errors++);
          }),
      });
    }
    events.push({ atMs: rotationAtMs, run: () => void (previousKeyId = stack.rotate(false).previous.accessKeyId) });
    events.push({ atMs: rotationAtMs + 30 * 60_000, run: () => stack.oss.keys.revoke(previousKeyId!) });
    events.sort((a, b) => a.atMs - b.atMs);
    for (const event of events) {
      await advanceTo(clock, stack, event.atMs);
      await event.run();
    }
    await advanceTo(clock, stack, endMs);
    const kmsCalls = stack.kmsCalls();
    const intervals = durationMs / ROTATION_INTERVAL_MS;
    return {
      buckets: bucketCount,
      ossCalls,
      errors,
      kmsCalls,
      byTrigger,
      intervals,
      kmsCallsPerSecretPerInterval: Math.round(((kmsCalls - 1) / intervals) * 1000) / 1000,
    };
  } finally {
    await stack.close();
  }
}

/**
 * Moves virtual time to `targetMs` one due timer at a time, letting each KMS fetch (real I/O) finish before
 * time moves on, so the next schedule is computed at the right virtual "now".
 */
async function advanceTo(clock: VirtualClock, stack: BenchStack, targetMs: number): Promise<void> {
  for (;;) {
    await whenCacheIdle(stack);
    const next = clock.nextDueMs;
    if (next === undefined || next > targetMs) break;
    await clock.advance(Math.max(0, next - clock.now()));
  }
  if (targetMs > clock.now()) await clock.advance(targetMs - clock.now());
  await whenCacheIdle(stack);
}

async function whenCacheIdle(stack: BenchStack): Promise<void> {
  for (;;) {
    const state = stack.cache.getStatus(SECRET_NAME)?.state;
    if (state !== 'refreshing' && state !== 'loading') return;
    await sleepMs(1);
  }
}
