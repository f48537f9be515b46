/** How many rejected AccessKeyIds one secret remembers (the oldest is forgotten beyond this). */
export const MAX_REJECTED_KEYS = 16;

/**
 * The AccessKeyIds OSS rejected for one secret, so the cache never offers a key known bad as the replacement
 * of another. A success signed with a key clears it (a new key can be accepted by OSS seconds late). Bounded.
 * Marking a key again does not refresh it: the recovery of the held key is timed by its `RecoveryEpisode`.
 */
export class RejectedKeys {
  readonly #ids = new Set<string>();

  /** Marks `accessKeyId` rejected; returns whether it was not marked before. */
  mark(accessKeyId: string): boolean {
    if (this.#ids.has(accessKeyId)) return false;
    this.#ids.add(accessKeyId);
    if (this.#ids.size > MAX_REJECTED_KEYS) this.#ids.delete(this.#ids.values().next().value as string);
    return true;
  }

  /** Forgets the mark of `accessKeyId`; returns whether there was one. */
  clear(accessKeyId: string): boolean {
    return this.#ids.delete(accessKeyId);
  }

  has(accessKeyId: string): boolean {
    return this.#ids.has(accessKeyId);
  }

  /** The marked ids, oldest first (a read-only view for `keyChanged`). */
  get ids(): ReadonlySet<string> {
    return this.#ids;
  }

  get size(): number {
    return this.#ids.size;
  }
}
