/**
 * `node --import tsx bench/provider-overhead.ts [--quick]`: what a ProxyBucket over a `credentialsProvider`
 * (issue 20) costs and how often it asks the provider.
 *
 * - Per-call overhead against raw ali-oss with a static STS token: client-side cost per `head` with an ali-oss
 *   `urllib` stub answering at once (no network, no emulator), and throughput of put 1 KiB + get against
 *   LocalOss over real sockets; alternating blocks, medians.
 * - What asking an `@alicloud/credentials` `Credential` per call would cost (`getCredential()` of a static STS
 *   Credential) next to the cache's `peekCredential()`.
 * - Provider calls per token lifetime with 100 ProxyBuckets on one provider: 24 h of virtual time, 1 h STS
 *   tokens, every bucket calls every 5 min; also counts requests sent with an expired token (expected 0).
 */
import * as CredentialsModule from '@alicloud/credentials';
import OSS from 'ali-oss';
import { fileURLToPath } from 'node:url';
import { CredentialsProviderCache } from '../src/credentials/credentials-provider-cache.js';
import type { ProvidedCredentials } from '../src/credentials/credentials-provider-like.js';
import { ProxyBucket } from '../src/oss/index.js';
import { cjsDefaultExport } from '../src/runtime/cjs-default-export.js';
import type { Clock, TimerHandle, TimerOptions } from '../src/runtime/clock.js';
import { LocalOss } from '../src/testing/oss/index.js';
import { median, round, runPool } from './lib/measure.js';
import { BUCKET_NAME } from './lib/stack.js';

/** Options of {@link runProviderOverhead}. */
export interface ProviderOverheadOptions {
  /** Pairs of alternating blocks of the client-only measurement. */
  clientOnlyRounds: number;
  /** Sequential `head` calls per client-only block. */
  callsPerBlock: number;
  /** Pairs of alternating blocks against LocalOss. */
  networkRounds: number;
  /** put + get operations per LocalOss block (4 in flight). */
  opsPerBlock: number;
  /** Iterations of the `getCredential()` / `peekCredential()` loops. */
  askIterations: number;
  /** Buckets sharing one provider, and the virtual hours they run. */
  buckets: number;
  simulatedHours: number;
}

/** Result of {@link runProviderOverhead}. */
export interface ProviderOverheadResult {
  clientOnly: { rounds: number; callsPerBlock: number; rawUsPerCall: number; providerUsPerCall: number; addedUsPerCall: number; ratio: number };
  network: { rounds: number; opsPerBlock: number; throughputRatio: number; errors: number };
  asking: { iterations: number; credentialGetCredentialNsPerCall: number; cachePeekNsPerCall: number };
  perLifetime: {
    buckets: number;
    simulatedHours: number;
    tokenLifetimeMinutes: number;
    calls: number;
    providerCalls: number;
    tokenLifetimes: number;
    providerCallsPerLifetime: number;
    /** Distinct tokens the requests carried (each ask's token was used, none asked in vain). */
    tokensUsed: number;
    expiredTokenRequests: number;
    errors: number;
  };
}

const HEADERS = { 'x-oss-request-id': 'bench', etag: '"bench"', 'content-length': '0' };
/** An ali-oss `urllib` that answers 200 at once: the client's own work, without sockets or a server. */
const instantUrllib = {
  async request() {
    return { status: 200, headers: HEADERS, data: Buffer.alloc(0), res: { status: 200, statusCode: 200, headers: HEADERS, size: 0, rt: 0 } };
  },
};
const STATIC = { accessKeyId: 'STS.bench-static', accessKeySecret: 'bench-static-secret-0123456789abcdef', securityToken: 'CAIS-bench-static-token-0123456789' };
const DAY_MS = 24 * 60 * 60 * 1000;

/** A provider answering the static token, valid for a day (asked once in these runs). */
const staticProvider = {
  getCredentials: async (): Promise<ProvidedCredentials> => ({ ...STATIC, expiration: new Date(Date.now() + DAY_MS) }),
};

export async function runProviderOverhead(options: ProviderOverheadOptions): Promise<ProviderOverheadResult> {
  return {
    clientOnly: await clientOnly(options),
    network: await network(options),
    asking: await asking(options.askIterations),
    perLifetime: await perLifetime(options.buckets, options.simulatedHours),
  };
}

/** Alternating blocks of `block(raw)` and `block(proxy)` (who goes first swaps each round); medians or totals. */
async function alternate(rounds: number, block: (which: 'raw' | 'proxy') => Promise<number>): Promise<{ raw: number[]; proxy: number[] }> {
  for (let w = 0; w < 2; w++) {
    await block('raw');
    await block('proxy');
  }
  const raw: number[] = [];
  const proxy: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order: Array<'raw' | 'proxy'> = r % 2 === 0 ? ['proxy', 'raw'] : ['raw', 'proxy'];
    for (const which of order) (which === 'raw' ? raw : proxy).push(await block(which));
  }
  return { raw, proxy };
}

async function clientOnly(options: ProviderOverheadOptions): Promise<ProviderOverheadResult['clientOnly']> {
  const common = { endpoint: 'http://127.0.0.1:9', region: 'oss-cn-hangzhou', bucket: BUCKET_NAME, secure: false, urllib: instantUrllib };
  const raw = new OSS({ ...common, accessKeyId: STATIC.accessKeyId, accessKeySecret: STATIC.accessKeySecret, stsToken: STATIC.securityToken } as OSS.Options);
  const proxy = new ProxyBucket({ ...common, credentialsProvider: staticProvider } as ConstructorParameters<typeof ProxyBucket>[0]);
  try {
    await proxy.ready();
    const clients = { raw: raw as OSS, proxy: proxy as OSS };
    const { raw: rawUs, proxy: proxyUs } = await alternate(options.clientOnlyRounds, async (which) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < options.callsPerBlock; i++) await clients[which].head('object.txt');
      return Number(process.hrtime.bigint() - t0) / 1000 / options.callsPerBlock;
    });
    const rawUsPerCall = median(rawUs);
    const providerUsPerCall = median(proxyUs);
    return {
      rounds: options.clientOnlyRounds,
      callsPerBlock: options.callsPerBlock,
      rawUsPerCall: round(rawUsPerCall, 2),
      providerUsPerCall: round(providerUsPerCall, 2),
      addedUsPerCall: round(providerUsPerCall - rawUsPerCall, 2),
      ratio: round(rawUsPerCall / providerUsPerCall),
    };
  } finally {
    await proxy.shutdown();
  }
}

async function network(options: ProviderOverheadOptions): Promise<ProviderOverheadResult['network']> {
  const oss = await LocalOss.start({ buckets: [BUCKET_NAME], keys: [STATIC] });
  const raw = new OSS({ ...oss.clientOptions(BUCKET_NAME), accessKeyId: STATIC.accessKeyId, accessKeySecret: STATIC.accessKeySecret, stsToken: STATIC.securityToken });
  const proxy = new ProxyBucket({ ...oss.clientOptions(BUCKET_NAME), credentialsProvider: staticProvider });
  const body = Buffer.alloc(1024, 0x61);
  let errors = 0;
  try {
    await proxy.ready();
    const clients = { raw: raw as OSS, proxy: proxy as OSS };
    const { raw: rawMs, proxy: proxyMs } = await alternate(options.networkRounds, async (which) => {
      const t0 = process.hrtime.bigint();
      await runPool(options.opsPerBlock, 4, async (i) => {
        const name = `provider-overhead/${i % 64}.bin`;
        try {
          await clients[which].put(name, body);
          await clients[which].get(name);
        } catch {
          errors++;
        }
      });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    });
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return { rounds: options.networkRounds, opsPerBlock: options.opsPerBlock, throughputRatio: round(sum(rawMs) / sum(proxyMs)), errors };
  } finally {
    await proxy.shutdown();
    await oss.close();
  }
}

/** ns per `await credential.getCredential()` of a static STS `Credential`, and per `peekCredential()` of the cache. */
async function asking(iterations: number): Promise<ProviderOverheadResult['asking']> {
  const Credential = cjsDefaultExport<new (config: Record<string, unknown>) => { getCredential(): Promise<{ accessKeyId?: string }> }>(CredentialsModule);
  const credential = new Credential({ type: 'sts', ...STATIC });
  const cache = new CredentialsProviderCache({ credentialsProvider: credential });
  let sink = 0;
  try {
    await cache.getCredential();
    const time = async (body: () => Promise<void> | void) => {
      const t0 = process.hrtime.bigint();
      await body();
      return Number(process.hrtime.bigint() - t0) / iterations;
    };
    const ask = async () => {
      for (let i = 0; i < iterations; i++) sink += (await credential.getCredential()).accessKeyId?.length ?? 0;
    };
    const peek = () => {
      for (let i = 0; i < iterations; i++) sink += cache.peekCredential()?.accessKeyId.length ?? 0;
    };
    await time(ask);
    await time(peek);
    const best = async (body: () => Promise<void> | void) => Math.min(await time(body), await time(body), await time(body));
    const figures = { iterations, credentialGetCredentialNsPerCall: round(await best(ask), 1), cachePeekNsPerCall: round(await best(peek), 1) };
    if (sink === 0) throw new Error('unreachable: keeps the loops from being optimised away');
    return figures;
  } finally {
    await cache.close();
  }
}

/** A minimal virtual clock: time moves only in `advance`, timers fire in order, promises settle in between. */
class BenchClock implements Clock {
  #now = Date.now();
  #mono = 0;
  #next = 1;
  readonly #timers = new Map<number, { due: number; callback: () => void }>();
  now(): number {
    return this.#now;
  }
  monotonicNow(): number {
    return this.#mono;
  }
  setTimeout(callback: () => void, delayMs: number, _options?: TimerOptions): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { due: this.#mono + Math.max(0, Math.min(delayMs, 2 ** 31 - 1)), callback });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    const target = this.#mono + ms;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const [id, timer] = [...this.#timers].filter(([, t]) => t.due <= target).sort((a, b) => a[1].due - b[1].due || a[0] - b[0])[0] ?? [];
      if (id === undefined || timer === undefined) break;
      this.#timers.delete(id);
      this.#now += timer.due - this.#mono;
      this.#mono = timer.due;
      timer.callback();
    }
    this.#now += target - this.#mono;
    this.#mono = target;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** 100 buckets on one provider of 1 h STS tokens, 24 virtual hours: provider calls per token lifetime. */
async function perLifetime(bucketCount: number, simulatedHours: number): Promise<ProviderOverheadResult['perLifetime']> {
  const clock = new BenchClock();
  const lifetimeMs = 60 * 60 * 1000;
  const expiryByToken = new Map<string, number>();
  let providerCalls = 0;
  const provider = {
    getCredentials: async (): Promise<ProvidedCredentials> => {
      providerCalls++;
      const securityToken = `CAIS-token-${providerCalls}`;
      const expiresAtMs = clock.now() + lifetimeMs;
      expiryByToken.set(securityToken, expiresAtMs);
      return { accessKeyId: `STS.${providerCalls}`, accessKeySecret: `secret-${providerCalls}-0123456789`, securityToken, expiration: new Date(expiresAtMs) };
    },
  };
  let expiredTokenRequests = 0;
  const tokensUsed = new Set<string>();
  // The stub checks each request's token against the expiry its issuer gave it, as OSS would.
  const checkingUrllib = {
    async request(_url: string, params: { headers?: Record<string, string> }) {
      const token = params.headers?.['x-oss-security-token'];
      if (token !== undefined) tokensUsed.add(token);
      const expiresAtMs = token === undefined ? undefined : expiryByToken.get(token);
      if (expiresAtMs === undefined || clock.now() >= expiresAtMs) expiredTokenRequests++;
      return instantUrllib.request();
    },
  };
  const cache = new CredentialsProviderCache({ credentialsProvider: provider, clock });
  const common = { endpoint: 'http://127.0.0.1:9', region: 'oss-cn-hangzhou', secure: false, urllib: checkingUrllib };
  const buckets = Array.from(
    { length: bucketCount },
    (_, i) => new ProxyBucket({ ...common, bucket: `${BUCKET_NAME}-${i}`, credentialsProvider: cache } as ConstructorParameters<typeof ProxyBucket>[0]),
  );
  let calls = 0;
  let errors = 0;
  try {
    const stepMs = 5 * 60 * 1000;
    for (let elapsed = 0; elapsed < simulatedHours * 60 * 60 * 1000; elapsed += stepMs) {
      const outcomes = await Promise.allSettled(buckets.map((bucket) => bucket.head('object.txt')));
      calls += outcomes.length;
      errors += outcomes.filter((o) => o.status === 'rejected').length;
      await clock.advance(stepMs);
    }
  } finally {
    await Promise.all(buckets.map((bucket) => bucket.shutdown()));
    await cache.close();
  }
  const tokenLifetimes = (simulatedHours * 60) / 60;
  return {
    buckets: bucketCount,
    simulatedHours,
    tokenLifetimeMinutes: lifetimeMs / 60_000,
    calls,
    providerCalls,
    tokenLifetimes,
    providerCallsPerLifetime: round(providerCalls / tokenLifetimes, 2),
    tokensUsed: tokensUsed.size,
    expiredTokenRequests,
    errors,
  };
}

/** The markdown rows for bench/results.md. */
export function providerOverheadRows(r: ProviderOverheadResult): string[] {
  const l = r.perLifetime;
  return [
    `| Any credential | client-side cost per \`head\` (urllib stub, median of ${r.clientOnly.rounds} alternating rounds): raw ali-oss with a static STS token / ProxyBucket over a \`credentialsProvider\` / added | ${r.clientOnly.rawUsPerCall} / ${r.clientOnly.providerUsPerCall} / +${r.clientOnly.addedUsPerCall} µs (ratio ${r.clientOnly.ratio}) | | |`,
    `| Any credential | throughput ProxyBucket over a provider / raw ali-oss with a static STS token (put 1 KiB + get on LocalOss, ${r.network.rounds}×2 blocks of ${r.network.opsPerBlock}) | ${r.network.throughputRatio} (${r.network.errors} errors) | | |`,
    `| Any credential | asking an \`@alicloud/credentials\` \`Credential\` (static STS) per call vs the cache's \`peekCredential()\` | ${r.asking.credentialGetCredentialNsPerCall} / ${r.asking.cachePeekNsPerCall} ns | | |`,
    `| Any credential | provider calls per ${l.tokenLifetimeMinutes}-min token lifetime, ${l.buckets} ProxyBuckets on one provider (${l.simulatedHours} h virtual, a call per bucket every 5 min) | ${l.providerCallsPerLifetime} (${l.providerCalls} calls for ${l.tokenLifetimes} lifetimes, ${l.tokensUsed} tokens used: refreshed ahead of expiry, a token serves ~${Math.round(100 * l.tokenLifetimes / l.providerCalls)} % of its lifetime; ${l.expiredTokenRequests} requests with an expired token; ${l.errors} errors of ${l.calls.toLocaleString('en')}) | 1 | |`,
  ];
}

/** Counts of a full and a quick run. */
export function providerOverheadPlan(quick: boolean): ProviderOverheadOptions {
  return quick
    ? { clientOnlyRounds: 4, callsPerBlock: 500, networkRounds: 2, opsPerBlock: 100, askIterations: 20_000, buckets: 100, simulatedHours: 6 }
    : { clientOnlyRounds: 20, callsPerBlock: 2000, networkRounds: 10, opsPerBlock: 200, askIterations: 200_000, buckets: 100, simulatedHours: 24 };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await runProviderOverhead(providerOverheadPlan(process.argv.includes('--quick')));
  console.log(JSON.stringify({ bench: 'provider-overhead', node: process.version, ...result }));
  console.log('');
  console.log('| Benchmark | Measure | Result | Target | |');
  console.log('|---|---|---|---|---|');
  for (const row of providerOverheadRows(result)) console.log(row);
}
