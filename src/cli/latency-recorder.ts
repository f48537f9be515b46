/** Percentiles of recorded latencies, in ms. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Collects call latencies and reports nearest-rank percentiles. */
export class LatencyRecorder {
  readonly #samples: number[] = [];

  /** Records one call's duration in ms. */
  record(durationMs: number): void {
    this.#samples.push(durationMs);
  }

  /** Number of recorded samples. */
  get count(): number {
    return this.#samples.length;
  }

  /** Nearest-rank percentiles (0 for every field when nothing was recorded). */
  summary(): LatencySummary {
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = (p: number) => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0));
    return { count: sorted.length, p50Ms: rank(50), p90Ms: rank(90), p99Ms: rank(99), maxMs: sorted.at(-1) ?? 0 };
  }
}
