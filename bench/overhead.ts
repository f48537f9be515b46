import type OSS from 'ali-oss';
import { median, round, runPool, timed } from './lib/measure.js';
import { BenchStack } from './lib/stack.js';

/** Options of {@link runOverhead}. */
export interface OverheadOptions {
  /** Pairs of blocks (one ProxyBucket block, one raw block each). */
  rounds: number;
  /** Operations (put 1 KiB + get = one operation) per block. */
  opsPerBlock: number;
  /** Operations in flight at once. */
  concurrency: number;
}

/** Result of {@link runOverhead}. */
export interface OverheadResult {
  rounds: number;
  opsPerBlock: number;
  concurrency: number;
  /** Total ops/s of ProxyBucket divided by total ops/s of raw ali-oss over all blocks. */
  throughputRatio: number;
  /** Median of the per-round ratios (less sensitive to one noisy block). */
  medianRoundRatio: number;
  /** raw time / ProxyBucket time of each round, in order. */
  roundRatios: number[];
  /** Process CPU µs per operation (client + in-process emulator), each variant. */
  cpuUsPerOpProxy: number;
  cpuUsPerOpRaw: number;
  /** Extra CPU µs per operation of ProxyBucket (one operation = 2 OSS calls). */
  addedCpuUsPerOp: number;
  /** Same, as a share of the raw CPU per operation. */
  addedCpuShare: number;
  /** OSS requests per variant during the measured blocks, and errors (expected 0). */
  ossRequests: number;
  errors: number;
}

const BODY = Buffer.alloc(1024, 0x61);

/**
 * ProxyBucket (warm, real SecretCacheClient over DkmsSecretSource on LocalDkms) vs a raw ali-oss client
 * with the same key against the same LocalOss, same workload: put 1 KiB then get it back. Blocks alternate
 * (ABAB…, the first block of each round swaps) so drift and warm-up hit both sides alike.
 */
export async function runOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const stack = await BenchStack.start();
  try {
    const proxy = stack.newBucket();
    await proxy.ready();
    const raw = stack.newRawClient();
    const op = (client: OSS) => async (i: number) => {
      const name = `overhead/${i % 64}.bin`;
      await client.put(name, BODY);
      await client.get(name);
    };
    const variants = { proxy: op(proxy), raw: op(raw) };
    // Warm-up: JIT (ali-oss code sees two client shapes, so V8 re-optimizes once both ran), keep-alive
    // sockets, the cache's first load. One block each was not enough: the first measured block still lagged.
    for (let w = 0; w < 2; w++) {
      for (const run of Object.values(variants)) await runPool(options.opsPerBlock, options.concurrency, run);
    }
    const before = stack.oss.counters();

    const totals = { proxy: { wallMs: 0, cpuUs: 0 }, raw: { wallMs: 0, cpuUs: 0 } };
    const roundRatios: number[] = [];
    for (let r = 0; r < options.rounds; r++) {
      const order = r % 2 === 0 ? (['proxy', 'raw'] as const) : (['raw', 'proxy'] as const);
      const block: Record<string, number> = {};
      for (const name of order) {
        const t = await timed(() => runPool(options.opsPerBlock, options.concurrency, variants[name]));
        totals[name].wallMs += t.wallMs;
        totals[name].cpuUs += t.cpuUs;
        block[name] = t.wallMs;
      }
      roundRatios.push(block.raw! / block.proxy!);
    }
    const after = stack.oss.counters();
    const ops = options.rounds * options.opsPerBlock;
    const cpuProxy = totals.proxy.cpuUs / ops;
    const cpuRaw = totals.raw.cpuUs / ops;
    return {
      rounds: options.rounds,
      opsPerBlock: options.opsPerBlock,
      concurrency: options.concurrency,
      throughputRatio: round(totals.raw.wallMs / totals.proxy.wallMs),
      medianRoundRatio: round(median(roundRatios)),
      roundRatios: roundRatios.map((x) => round(x)),
      cpuUsPerOpProxy: round(cpuProxy, 1),
      cpuUsPerOpRaw: round(cpuRaw, 1),
      addedCpuUsPerOp: round(cpuProxy - cpuRaw, 1),
      addedCpuShare: round((cpuProxy - cpuRaw) / cpuRaw),
      ossRequests: (after.requests - before.requests) / 2,
      errors: after.errors - before.errors,
    };
  } finally {
    await stack.close();
  }
}
