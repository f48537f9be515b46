import https from 'node:https';
import OSS from 'ali-oss';
import { SecretCacheClient } from '../src/cache/index.js';
import { clientKeyFromPem, DkmsSecretSource } from '../src/kms/dkms/index.js';
import { ProxyBucket } from '../src/oss/index.js';
import { runColdProcesses, type ColdProcessResult } from './cold-process.js';
import { median, round } from './lib/measure.js';
import { BenchStack, BUCKET_NAME, SECRET_NAME } from './lib/stack.js';

/** Options of {@link runColdStart}. */
export interface ColdStartOptions {
  /** Latencies injected into LocalDkms (ms), one row each. */
  latenciesMs: readonly number[];
  /** Cold starts per latency; the median is reported. */
  repetitions: number;
  /** Fresh processes per variant of bench/cold-process.ts (import cost, OpenAPI-only path, first call); 0 skips them. */
  processRuns?: number;
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
  /** Median bare KMS round trip: a fresh TLS connection to the same LocalDkms and one (rejected) request. */
  bareKmsRoundTripMs: number;
  /**
   * firstCallMs - injected latency - bareKmsRoundTripMs - rawFirstCallMs: what the library adds to a first call
   * beyond KMS's round trip and the OSS call itself (goal <= 5 ms).
   */
  addedOverKmsRttMs: number;
  /** GetSecretValue requests per cold start (expected 1). */
  kmsCallsPerStart: number;
}

/** Result of {@link runColdStart}. */
export interface ColdStartResult {
  repetitions: number;
  rows: ColdStartRow[];
  /** Rows measured in fresh processes against the built package (absent when not run). */
  processes?: ColdProcessResult;
}

/**
 * Time to first successful call for a cold ProxyBucket (new DKMS source: new TLS session; new cache; new
 * bucket) while LocalDkms holds each GetSecretValue for an injected latency of 0, 100 and 500 ms.
 */
export async function runColdStartInProcess(options: ColdStartOptions): Promise<ColdStartResult> {
  const stack = await BenchStack.start();
  try {
    const rows: ColdStartRow[] = [];
    const body = Buffer.from('cold start');
    for (const latencyMs of options.latenciesMs) {
      const proxyTimes: number[] = [];
      const rawTimes: number[] = [];
      const rttTimes: number[] = [];
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

        const t2 = performance.now();
        await bareRoundTrip(stack.dkms.endpoint, stack.dkms.caBundlePem);
        rttTimes.push(performance.now() - t2);
      }
      const firstCallMs = median(proxyTimes);
      const rawFirstCallMs = median(rawTimes);
      const bareKmsRoundTripMs = median(rttTimes);
      rows.push({
        injectedLatencyMs: latencyMs,
        firstCallMs: round(firstCallMs, 1),
        overheadMs: round(firstCallMs - latencyMs, 1),
        rawFirstCallMs: round(rawFirstCallMs, 1),
        addedOverRawMs: round(firstCallMs - latencyMs - rawFirstCallMs, 1),
        bareKmsRoundTripMs: round(bareKmsRoundTripMs, 1),
        addedOverKmsRttMs: round(firstCallMs - latencyMs - bareKmsRoundTripMs - rawFirstCallMs, 1),
        kmsCallsPerStart: (stack.kmsCalls() - kmsBefore) / options.repetitions,
      });
    }
    return { repetitions: options.repetitions, rows };
  } finally {
    await stack.close();
  }
}

/**
 * {@link runColdStartInProcess} plus, when `processRuns` > 0, the fresh-process rows of bench/cold-process.ts
 * (import of ali-oss vs the root in ESM and CJS, the OpenAPI-only path, the first call in a cold process).
 */
export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const inProcess = await runColdStartInProcess(options);
  if (!options.processRuns) return inProcess;
  return { ...inProcess, processes: await runColdProcesses({ runs: options.processRuns }) };
}

/** One request on a fresh TLS connection (no agent, no session reuse) to `endpoint`; resolves on the answer's end. */
function bareRoundTrip(endpoint: string, ca: string): Promise<void> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = https.request({ host, port: Number(port), method: 'POST', path: '/', ca, agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(Buffer.alloc(16));
  });
}
