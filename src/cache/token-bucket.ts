import type { Clock } from '../runtime/clock.js';

/** Parameters of a {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens when full (and at start). 0 disables the guarded action. */
  capacity: number;
  /** One token comes back per this many ms, up to `capacity`. */
  refillIntervalMs: number;
  /** Time source. */
  clock: Pick<Clock, 'now'>;
}

/**
 * A token bucket that refills lazily from the injected clock (no timer). Guards forced refreshes of one
 * secret so a flood of rejected requests cannot turn into a flood of KMS calls.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillIntervalMs: number;
  readonly #clock: Pick<Clock, 'now'>;
  #tokens: number;
  #refilledAtMs: number;

  /** @param options - capacity, refill interval and clock */
  constructor(options: TokenBucketOptions) {
    this.#capacity = options.capacity;
    this.#refillIntervalMs = options.refillIntervalMs;
    this.#clock = options.clock;
    this.#tokens = options.capacity;
    this.#refilledAtMs = options.clock.now();
  }

  /** Tokens available now. */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes one token if there is one; `false` means "over budget, don't". */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    const nowMs = this.#clock.now();
    const elapsedMs = nowMs - this.#refilledAtMs;
    // A clock that went backwards restarts the refill period instead of stalling it.
    if (elapsedMs < 0 || this.#tokens >= this.#capacity) {
      this.#refilledAtMs = nowMs;
      return;
    }
    const gained = Math.floor(elapsedMs / this.#refillIntervalMs);
    if (gained <= 0) return;
    this.#tokens = Math.min(this.#capacity, this.#tokens + gained);
    this.#refilledAtMs = this.#tokens >= this.#capacity ? nowMs : this.#refilledAtMs + gained * this.#refillIntervalMs;
  }
}
