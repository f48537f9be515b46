/** How many rejected AccessKeyIds one secret remembers (the oldest is forgotten beyond this). */
export const MAX_REJECTED_KEYS = 16;

/** One remembered rejection. */
export interface RejectedKey {
  /** When it was (last) marked, as a logical time (a counter shared with fetch starts, so order is exact). */
  markedAt: number;
}

/**
 * The AccessKeyIds OSS rejected for one secret, so the cache neither answers a forced refresh with a key
 * known bad nor counts a KMS answer that predates the rejection as proof that KMS still has nothing better.
 * A later success with a key clears its mark (a new key can be accepted by OSS seconds late). Bounded.
 */
export class RejectedKeys {
  readonly #marks = new Map<string, RejectedKey>();

  /** Marks `accessKeyId` rejected at logical time `at`; returns whether it was not marked before. */
  mark(accessKeyId: string, at: number): boolean {
    const known = this.#marks.has(accessKeyId);
    this.#marks.delete(accessKeyId); // re-insert: Map order is the forgetting order
    this.#marks.set(accessKeyId, { markedAt: at });
    if (this.#marks.size > MAX_REJECTED_KEYS) this.#marks.delete(this.#marks.keys().next().value as string);
    return !known;
  }

  /** Forgets the mark of `accessKeyId`; returns whether there was one. */
  clear(accessKeyId: string): boolean {
    return this.#marks.delete(accessKeyId);
  }

  has(accessKeyId: string): boolean {
    return this.#marks.has(accessKeyId);
  }

  /** When `accessKeyId` was marked (logical time), or `undefined`. */
  markedAt(accessKeyId: string): number | undefined {
    return this.#marks.get(accessKeyId)?.markedAt;
  }

  /** The marked ids, oldest first (a read-only view for `keyChanged`). */
  get ids(): ReadonlySet<string> {
    return new Set(this.#marks.keys());
  }

  get size(): number {
    return this.#marks.size;
  }
}
