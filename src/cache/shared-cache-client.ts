import type { SecretCacheClient } from './secret-cache-client.js';
import { leaseShared, type SharedSlot } from '../runtime/shared-lease.js';

/** One user's reference to a shared {@link SecretCacheClient}. */
export interface SharedCacheClientLease {
  /** The shared client; do not close it directly, release the lease. */
  readonly client: SecretCacheClient;
  /**
   * Gives the reference back; the client is closed when its last reference is released. Idempotent per
   * lease; resolves once the client is closed (or at once if other users remain).
   */
  release(): Promise<void>;
}

const slots = new Map<string, SharedSlot<SecretCacheClient>>();

/**
 * Returns the process-wide client for `key` (e.g. a configuration identity), creating it with `factory`
 * on first use, and counts the reference. ProxyBuckets built from the same configuration thereby share one
 * cache, one schedule and one memory of rejected keys. A client that was closed directly is replaced on the
 * next acquire.
 *
 * @param key - what makes two users share a client; must not contain secrets (it shows up in diagnostics)
 * @param factory - creates the client; called at most once per live client
 */
export function acquireSharedCacheClient(key: string, factory: () => SecretCacheClient): SharedCacheClientLease {
  const lease = leaseShared(slots, key, factory);
  return { client: lease.value, release: lease.release };
}

/** Keys of the shared clients currently alive, for diagnostics and tests. */
export function sharedCacheClientKeys(): string[] {
  return [...slots.keys()];
}
