/**
 * How the simulated KMS counts its GetSecretValue quota: `fixed-window`, at most `quotaQps` requests per second
 * of KMS's own clock (the revoke may fall anywhere in that second); `token-bucket`, a bucket of `quotaQps`
 * tokens refilled continuously at `quotaQps` per second (a burst of one second, then a smooth rate).
 */
export type QuotaModel = 'fixed-window' | 'token-bucket';

/** The answer of {@link KmsQuota.admit}: admitted, or how long until the quota has room (ms, for hints). */
export type Admission = { admitted: true } | { admitted: false; timeLeftMs: number };

/** A KMS quota on a virtual clock (monotonic ms), shared by the fleet simulations. */
export class KmsQuota {
  #windowOriginMs = 0;
  #windowIndex = Number.NaN;
  #usedInWindow = 0;
  #tokens: number;
  #tokensAtMs = 0;

  /**
   * @param quotaQps - requests per second
   * @param model - how they are counted
   */
  constructor(
    readonly quotaQps: number,
    readonly model: QuotaModel = 'fixed-window',
  ) {
    this.#tokens = quotaQps;
  }

  /** Starts counting at `nowMs`: KMS's current window began `windowOffsetMs` earlier; the bucket is full. */
  start(nowMs: number, windowOffsetMs = 0): void {
    this.#windowOriginMs = nowMs - windowOffsetMs;
    this.#windowIndex = Number.NaN;
    this.#usedInWindow = 0;
    this.#tokens = this.quotaQps;
    this.#tokensAtMs = nowMs;
  }

  /** Admits one request arriving at `nowMs`, or says how long until there is room. */
  admit(nowMs: number): Admission {
    const q = this.quotaQps;
    if (this.model === 'token-bucket') {
      this.#tokens = Math.min(q, this.#tokens + ((nowMs - this.#tokensAtMs) * q) / 1000);
      this.#tokensAtMs = nowMs;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return { admitted: true };
      }
      return { admitted: false, timeLeftMs: Math.ceil(((1 - this.#tokens) * 1000) / q) };
    }
    const index = Math.floor((nowMs - this.#windowOriginMs) / 1000);
    if (index !== this.#windowIndex) {
      this.#windowIndex = index;
      this.#usedInWindow = 0;
    }
    if (this.#usedInWindow < q) {
      this.#usedInWindow += 1;
      return { admitted: true };
    }
    return { admitted: false, timeLeftMs: Math.ceil(this.#windowOriginMs + (index + 1) * 1000 - nowMs) };
  }
}
