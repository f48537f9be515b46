import { CredentialsProviderCache } from './credentials-provider-cache.js';
import type { CredentialsProviderLike } from './credentials-provider-like.js';
import { leaseShared, type SharedSlot } from '../runtime/shared-lease.js';

/** One client's use of a {@link CredentialsProviderCache}: the cache, and how to give it back. */
export interface CredentialsProviderCacheLease {
  readonly cache: CredentialsProviderCache;
  /** Gives the reference back; the last one closes a cache built here (one passed in stays open). Idempotent. */
  release(): Promise<void>;
}

/** One cache per provider object, so 100 buckets over one provider ask it once per token, not 100 times. */
const slots = new WeakMap<object, SharedSlot<CredentialsProviderCache>>();

/**
 * The cache for a `credentialsProvider` option: a {@link CredentialsProviderCache} given as is (the caller owns
 * it), else the one shared by every client over the same provider object, created on first use and closed
 * when the last client releases it.
 */
export function acquireCredentialsProviderCache(provider: CredentialsProviderLike | CredentialsProviderCache): CredentialsProviderCacheLease {
  if (provider instanceof CredentialsProviderCache) return { cache: provider, release: () => Promise.resolve() };
  const lease = leaseShared(slots, provider, () => new CredentialsProviderCache({ credentialsProvider: provider }));
  return { cache: lease.value, release: lease.release };
}
