import OSS from 'ali-oss';
import { SecretCacheClient } from '../src/cache/index.js';
import { ProxyBucket } from '../src/oss/index.js';
import { median, round } from './lib/measure.js';
import { RotatingSecretSource } from './lib/rotating-secret-source.js';
import { BUCKET_NAME, newKey, SECRET_NAME } from './lib/stack.js';

/** Options of {@link runClientOnlyOverhead}. */
export interface ClientOnlyOverheadOptions {
  /** Pairs of alternating blocks. */
  rounds: number;
  /** Sequential `head` calls per block. */
  callsPerBlock: number;
}

/** Result of {@link runClientOnlyOverhead}. */
export interface ClientOnlyOverheadResult {
  rounds: number;
  callsPerBlock: number;
  /** Median over rounds of the client-side cost of one `head` call, µs. */
  rawUsPerCall: number;
  proxyUsPerCall: number;
  /** proxy - raw, µs per call (what ProxyBucket adds on the client, without any network or emulator). */
  addedUsPerCall: number;
  /** raw / proxy: throughput ratio if the client were the only cost. */
  clientOnlyRatio: number;
}

/** An ali-oss `urllib` that answers 200 at once: the client's own work, without sockets or a server. */
const instantUrllib = {
  async request() {
    const headers = { 'x-oss-request-id': 'bench', etag: '"bench"', 'content-length': '0' };
    return { status: 200, headers, data: Buffer.alloc(0), res: { status: 200, statusCode: 200, headers, size: 0, rt: 0 } };
  },
};

/**
 * The client-side CPU cost of ProxyBucket per call, isolated: both the raw ali-oss client and ProxyBucket
 * (real SecretCacheClient, warm) use an `urllib` stub that answers at once, so the figure holds no network,
 * no emulator and no other process's noise. Sequential `head` calls in alternating blocks.
 */
export async function runClientOnlyOverhead(options: ClientOnlyOverheadOptions): Promise<ClientOnlyOverheadResult> {
  const key = newKey();
  const cache = new SecretCacheClient({ source: new RotatingSecretSource(SECRET_NAME, key) });
  const common = { endpoint: 'http://127.0.0.1:9', region: 'oss-cn-hangzhou', bucket: BUCKET_NAME, secure: false, urllib: instantUrllib };
  const raw = new OSS({ ...common, ...key } as OSS.Options);
  const proxy = new ProxyBucket({ ...common, secretName: SECRET_NAME, cacheClient: cache } as ConstructorParameters<typeof ProxyBucket>[0]);
  try {
    await proxy.ready();
    const block = async (client: OSS) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < options.callsPerBlock; i++) await client.head('object.txt');
      return Number(process.hrtime.bigint() - t0) / 1000 / options.callsPerBlock;
    };
    for (let w = 0; w < 3; w++) {
      await block(raw);
      await block(proxy);
    }
    const rawUs: number[] = [];
    const proxyUs: number[] = [];
    for (let r = 0; r < options.rounds; r++) {
      if (r % 2 === 0) {
        proxyUs.push(await block(proxy));
        rawUs.push(await block(raw));
      } else {
        rawUs.push(await block(raw));
        proxyUs.push(await block(proxy));
      }
    }
    const rawUsPerCall = median(rawUs);
    const proxyUsPerCall = median(proxyUs);
    return {
      rounds: options.rounds,
      callsPerBlock: options.callsPerBlock,
      rawUsPerCall: round(rawUsPerCall, 2),
      proxyUsPerCall: round(proxyUsPerCall, 2),
      addedUsPerCall: round(proxyUsPerCall - rawUsPerCall, 2),
      clientOnlyRatio: round(rawUsPerCall / proxyUsPerCall),
    };
  } finally {
    await proxy.shutdown();
    await cache.close();
  }
}
