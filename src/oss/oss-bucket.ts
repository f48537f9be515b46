import type OSS from 'ali-oss';
import type { SecretCacheEvents } from '../cache/secret-cache-events.js';
import type { AliOssUndeclaredMethods } from './ali-oss-extras.js';

/** Names of the cache events a bucket forwards: see {@link OssBucket.on}. */
export type BucketEventName = keyof SecretCacheEvents;

/** A listener of the bucket event `K`; it receives the cache's payload for this bucket's secret. */
export type BucketEventListener<K extends BucketEventName> = (...args: SecretCacheEvents[K]) => void;

/**
 * The type to store a bucket in: an ali-oss client (`OSS`, every method) that also has the lifecycle of a
 * managed one. `ProxyBucket` is one; declare fields and parameters with it so `shutdown()` needs no cast.
 *
 * @example
 * ```ts
 * class Reports {
 *   constructor(private readonly bucket: OssBucket) {}
 *   close() { return this.bucket.shutdown(); }
 * }
 * ```
 */
export interface OssBucket extends OSS, AliOssUndeclaredMethods, AsyncDisposable {
  /** Name of the KMS secret the AccessKey comes from. */
  readonly secretName: string;
  /** The AccessKeyId the next request will be signed with, if a credential is loaded. */
  readonly accessKeyId: string | undefined;
  /** Resolves once the first credential is loaded. */
  ready(): Promise<void>;
  /** Releases the bucket's cache reference and listeners. Idempotent. */
  shutdown(): Promise<void>;
  /** Listens to a cache event (`rotate`, `refresh`, `error`, `stale`, `reject`) of this bucket's secret only. */
  on<K extends BucketEventName>(event: K, listener: BucketEventListener<K>): this;
  /** Removes a listener added with {@link OssBucket.on}. */
  off<K extends BucketEventName>(event: K, listener: BucketEventListener<K>): this;
}
