import { CredentialsProviderCache } from './credentials-provider-cache.js';
import type { CredentialsProviderLike } from './credentials-provider-like.js';

/** One client's use of a {@link CredentialsProviderCache}: the cache, and how to give it back. */
export interface CredentialsProviderCacheLease {
  readonly cache: CredentialsProviderCache;
  /** Gives the reference back; the last one closes a cache built here (one passed in stays open). Idempotent. */
  release(): Promise<void>;
}

interface Slot {
  cache: CredentialsProviderCache;
  references: number;
}

/** One cache per provider object, so 100 buckets over one provider ask it once per token, not 100 times. */
const slots = new WeakMap<object, Slot>();

/**
 * The cache for a `credentialsProvider` option: a {@link CredentialsProviderCache} given as is (the caller owns
 * it), else the one shared by every client over the same provider object, created on first use and closed
 * when the last client releases it.
 */
export function acquireCredentialsProviderCache(provider: CredentialsProviderLike | CredentialsProviderCache): CredentialsProviderCacheLease {
  if (provider instanceof CredentialsProviderCache) return { cache: provider, release: () => Promise.resolve() };
  let slot = slots.get(provider);
  if (slot === undefined || slot.cache.closed) {
    slot = { cache: new CredentialsProviderCache({ credentialsProvider: provider }), references: 0 };
    slots.set(provider, slot);
  }
  slot.references += 1;
  const held = slot;
  let released = false;
  return {
    cache: held.cache,
    release: async () => {
      if (released) return;
      released = true;
      held.references -= 1;
      if (held.references > 0) return;
      if (slots.get(provider) === held) slots.delete(provider);
      await held.cache.close();
    },
  };
}
