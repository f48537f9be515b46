/**
 * Signature nonces seen recently, to answer `SignatureNonceUsed` on a replay. A nonce only needs remembering
 * while its request's date is still accepted, so entries older than `retentionMs` are dropped (bounded memory
 * in long runs).
 */
export class NonceCache {
  readonly #seen = new Map<string, number>();

  /** @param retentionMs - how long a nonce is remembered (twice the allowed clock skew) */
  constructor(private readonly retentionMs: number) {}

  /** Records `nonce` at `nowMs`; false when it was already seen within the retention. */
  claim(nonce: string, nowMs: number): boolean {
    this.#prune(nowMs);
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, nowMs);
    return true;
  }

  #prune(nowMs: number): void {
    // Map iterates in insertion order, which is time order for a clock that does not step back.
    for (const [nonce, atMs] of this.#seen) {
      if (nowMs - atMs <= this.retentionMs) break;
      this.#seen.delete(nonce);
    }
  }
}
