import OSS from 'ali-oss';
import { SecretCacheClient } from '../src/cache/index.js';
import { clientKeyFromPem, DkmsSecretSource } from '../src/kms/dkms/index.js';
import { ProxyBucket } from '../src/oss/index.js';
import { median, round } from './lib/measure.js';
import { BenchStack, BUCKET_NAME, SECRET_NAME } from './lib/stack.js';

/** Options of {@link runColdStart}. */
export interface ColdStartOptions {
  /** Latencies injected into LocalDkms (ms), one row each. */
  latenciesMs: readonly number[];
  /** Cold starts per latency; the median is reported. */
  repetitions: number;
}

/** One row of {@link ColdStartResult}. */
export interface ColdStartRow {
  injectedLatencyMs: number;
  /** Median time from `new ProxyBucket` to the first successful `put` (cold source, cache and bucket). */
  firstCallMs: number;
  /** firstCallMs - injected latency: what the library adds on top of KMS's own latency. */
  overheadMs: number;
  /** Median first `put` of a cold raw ali-oss client (key known up front), for scale. */
  rawFirstCallMs: number;
  /** overheadMs - rawFirstCallMs: the KMS round trip (TLS handshake, signing, parsing) beyond the latency. */
  addedOverRawMs: number;
  /** GetSecretValue requests per cold start (expected 1). */
  kmsCallsPerStart: number;
}

/** Result of {@link runColdStart}. */
export interface ColdStartResult {
  repetitions: number;
  rows: ColdStartRow[];
}

/**
 * Time to first successful call for a cold ProxyBucket (new DKMS source: new TLS session; new cache; new
 * bucket) while LocalDkms holds each GetSecretValue for an injected latency of 0, 100 and 500 ms.
 */
export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const stack = await BenchStack.start();
  try {
    const rows: ColdStartRow[] = [];
    const body = Buffer.from('cold start');
    for (const latencyMs of options.latenciesMs) {
      const proxyTimes: number[] = [];
      const rawTimes: number[] = [];
      const kmsBefore = stack.kmsCalls();
      for (let r = 0; r < options.repetitions; r++) {
        if (latencyMs > 0) stack.dkms.injectFault({ kind: 'latency', delayMs: latencyMs });
        const t0 = performance.now();
        const source = new DkmsSecretSource({
          endpoint: stack.dkms.endpoint,
          clientKey: clientKeyFromPem(stack.dkms.clientKey.keyId, stack.dkms.clientKey.privateKeyPem),
          ca: stack.dkms.caBundlePem,
        });
        const cache = new SecretCacheClient({ source, ownsSource: true });
        const bucket = new ProxyBucket({ secretName: SECRET_NAME, cacheClient: cache, ...stack.oss.clientOptions(BUCKET_NAME) });
        await bucket.put(`cold/${latencyMs}-${r}.txt`, body);
        proxyTimes.push(performance.now() - t0);
        await bucket.shutdown();
        await cache.close();

        const t1 = performance.now();
        const raw = new OSS({ ...stack.oss.clientOptions(BUCKET_NAME), ...stack.currentKey });
        await raw.put(`cold/raw-${latencyMs}-${r}.txt`, body);
        rawTimes.push(performance.now() - t1);
      }
      const firstCallMs = median(proxyTimes);
      const rawFirstCallMs = median(rawTimes);
      rows.push({
        injectedLatencyMs: latencyMs,
        firstCallMs: round(firstCallMs, 1),
        overheadMs: round(firstCallMs - latencyMs, 1),
        rawFirstCallMs: round(rawFirstCallMs, 1),
        addedOverRawMs: round(firstCallMs - latencyMs - rawFirstCallMs, 1),
        kmsCallsPerStart: (stack.kmsCalls() - kmsBefore) / options.repetitions,
      });
    }
    return { repetitions: options.repetitions, rows };
  } finally {
    await stack.close();
  }
}
