import { seededRandom } from '../../bench/lib/measure.js';

/**
 * The simulation's randomness: a seeded stream with the few helpers a fault plan needs. Separate streams
 * ({@link SimRandom.fork}) keep the world's plan independent of how many numbers the library draws, so a
 * seed keeps describing the same faults when the code under test changes.
 */
export class SimRandom {
  readonly #next: () => number;

  /** @param seed - any integer; one seed fixes the whole stream */
  constructor(readonly seed: number) {
    this.#next = seededRandom(seed);
  }

  /** A number in [0, 1). */
  next(): number {
    return this.#next();
  }

  /** A function drawing from this stream (for `random` options). */
  get source(): () => number {
    return () => this.#next();
  }

  /** `true` with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + this.#next() * (max - min);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)] as T;
  }

  /** An exponentially distributed gap with the given mean (Poisson arrivals). */
  exponential(meanMs: number): number {
    return -Math.log(1 - this.#next()) * meanMs;
  }

  /** An independent stream derived from this seed and `label`. */
  fork(label: string): SimRandom {
    let h = 2166136261 ^ this.seed;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    return new SimRandom(h >>> 0);
  }
}
