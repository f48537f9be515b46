import OSS from 'ali-oss';
import { randomBytes } from 'node:crypto';
import { SecretCacheClient, type SecretCacheClientOptions } from '../../src/cache/index.js';
import { clientKeyFromPem, DkmsSecretSource, type DkmsSourceOptions } from '../../src/kms/dkms/index.js';
import { ProxyBucket } from '../../src/oss/index.js';
import type { Clock } from '../../src/runtime/clock.js';
import { LocalDkms } from '../../src/testing/dkms/index.js';
import { LocalOss } from '../../src/testing/oss/index.js';

/** Name of the managed RAM credential secret every benchmark reads. */
export const SECRET_NAME = 'bench-oss-ram-ak';
/** Bucket every benchmark writes to. */
export const BUCKET_NAME = 'bench-bucket';
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** A random AccessKey pair; the secret never leaves the process (nothing prints it). */
export interface BenchKey {
  accessKeyId: string;
  accessKeySecret: string;
}

let keyCounter = 0;

/** A fresh AccessKey pair with a recognisable, non-secret id. */
export function newKey(): BenchKey {
  keyCounter += 1;
  return { accessKeyId: `LTAIbench${String(keyCounter).padStart(6, '0')}`, accessKeySecret: randomBytes(18).toString('base64url') };
}

/** Options of {@link startStack}. */
export interface StackOptions {
  /** Clock of LocalDkms, the DKMS source and the cache (LocalOss always uses real time). */
  clock?: Clock;
  /** Extra options for the cache. */
  cache?: Partial<Omit<SecretCacheClientOptions, 'source'>>;
  /** Extra options for the DKMS source. */
  source?: Partial<DkmsSourceOptions>;
  /** Rotation period written into the secret (drives `NextRotationDate`). Default 7 days. */
  rotationIntervalMs?: number;
}

/**
 * The real credential path of the library, end to end over sockets: LocalDkms (HTTPS, verified ClientKey
 * signatures) → DkmsSecretSource → SecretCacheClient → ProxyBucket → ali-oss → LocalOss (verified V1
 * signatures). Only the servers are emulators; every client-side component is the shipped code.
 */
export class BenchStack {
  /** The AccessKey currently stored in LocalDkms and accepted by LocalOss. */
  currentKey: BenchKey;

  private readonly buckets: ProxyBucket[] = [];
  private readonly rawClients: OSS[] = [];

  private constructor(
    readonly dkms: LocalDkms,
    readonly oss: LocalOss,
    readonly source: DkmsSecretSource,
    readonly cache: SecretCacheClient,
    firstKey: BenchKey,
  ) {
    this.currentKey = firstKey;
  }

  /** Starts both emulators and builds the real source and cache. */
  static async start(options: StackOptions = {}): Promise<BenchStack> {
    const clock = options.clock;
    const [dkms, oss] = await Promise.all([
      LocalDkms.start(clock === undefined ? {} : { clock }),
      LocalOss.start({ buckets: [BUCKET_NAME] }),
    ]);
    const key = newKey();
    dkms.setRamCredential(SECRET_NAME, { ...key, rotationIntervalMs: options.rotationIntervalMs ?? WEEK_MS });
    oss.keys.add(key);
    const source = new DkmsSecretSource({
      endpoint: dkms.endpoint,
      clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
      ca: dkms.caBundlePem,
      ...(clock === undefined ? {} : { clock }),
      ...options.source,
    });
    const cache = new SecretCacheClient({ source, ...(clock === undefined ? {} : { clock }), ...options.cache });
    return new BenchStack(dkms, oss, source, cache, key);
  }

  /** A ProxyBucket on the shared cache; shut down by {@link close}. */
  newBucket(): ProxyBucket {
    const bucket = new ProxyBucket({ secretName: SECRET_NAME, cacheClient: this.cache, ...this.oss.clientOptions(BUCKET_NAME) });
    this.buckets.push(bucket);
    return bucket;
  }

  /** A plain ali-oss client signing with the current key (the baseline). */
  newRawClient(): OSS {
    const client = new OSS({ ...this.oss.clientOptions(BUCKET_NAME), ...this.currentKey });
    this.rawClients.push(client);
    return client;
  }

  /** KMS GetSecretValue requests LocalDkms has received so far. */
  kmsCalls(): number {
    return this.dkms.getSecretValueCount(SECRET_NAME);
  }

  /**
   * A managed-credential rotation as the cloud performs it: KMS gets a new version, OSS accepts the new key;
   * with `revokeOld` the old key stops working at once (the worst case for callers).
   */
  rotate(revokeOld: boolean): { previous: BenchKey; next: BenchKey } {
    const previous = this.currentKey;
    const next = newKey();
    this.dkms.rotate(SECRET_NAME, next);
    this.oss.keys.add(next);
    if (revokeOld) this.oss.keys.revoke(previous.accessKeyId);
    this.currentKey = next;
    return { previous, next };
  }

  /** Shuts down every bucket, closes the cache and source, stops both servers. Idempotent enough to call once. */
  async close(): Promise<void> {
    await Promise.all(this.buckets.map((b) => b.shutdown()));
    await this.cache.close();
    this.source.close();
    await Promise.all([this.dkms.close(), this.oss.close()]);
  }
}
