import type { Clock } from '../runtime/clock.js';

/** One secret of one cache client, as the bridge has seen it through events. */
interface TrackedSecret {
  readonly clientId: string;
  readonly secretName: string;
  /** Monotonic time of the refresh that brought the key now held. */
  keyChangedAtMonoMs: number | undefined;
  /** Since when refreshing has been failing while a stale value is served (epoch ms), until a success. */
  staleSinceMs: number | undefined;
}

/** A gauge reading for one secret of one cache client. */
export interface SecretReading {
  readonly clientId: string;
  readonly secretName: string;
  readonly valueMs: number;
}

/** How many secrets (per client) the gauges follow; the least recently active one is dropped beyond it. */
export const MAX_TRACKED_SECRETS = 1000;

/**
 * What the key age and staleness gauges report, computed only from the cache events the bridge saw (it holds
 * no reference to any client). Bounded: at most {@link MAX_TRACKED_SECRETS} entries, least recently active
 * dropped first, since no event says a client was closed.
 */
export class SecretTelemetryState {
  readonly #clock: Clock;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, TrackedSecret>();

  /**
   * @param clock - time source of the readings
   * @param maxEntries - bound on the secrets followed
   */
  constructor(clock: Clock, maxEntries = MAX_TRACKED_SECRETS) {
    this.#clock = clock;
    this.#maxEntries = maxEntries;
  }

  /** A fetch succeeded: staleness ends; a changed key restarts its age. */
  onRefresh(clientId: string, secretName: string, changed: boolean): void {
    const entry = this.#touch(clientId, secretName);
    entry.staleSinceMs = undefined;
    if (changed || entry.keyChangedAtMonoMs === undefined) entry.keyChangedAtMonoMs = this.#clock.monotonicNow();
  }

  /** A stale value is being served; refreshing has been failing since `staleSinceMs` (epoch ms). */
  onStale(clientId: string, secretName: string, staleSinceMs: number): void {
    const entry = this.#touch(clientId, secretName);
    entry.staleSinceMs ??= staleSinceMs;
  }

  /** Age of the key held, per secret that has one. */
  keyAges(): SecretReading[] {
    const nowMs = this.#clock.monotonicNow();
    const readings: SecretReading[] = [];
    for (const { clientId, secretName, keyChangedAtMonoMs } of this.#entries.values()) {
      if (keyChangedAtMonoMs !== undefined) readings.push({ clientId, secretName, valueMs: Math.max(0, nowMs - keyChangedAtMonoMs) });
    }
    return readings;
  }

  /** How long a stale value has been served, per secret seen (0 when fresh). */
  staleness(): SecretReading[] {
    const nowMs = this.#clock.now();
    return [...this.#entries.values()].map(({ clientId, secretName, staleSinceMs }) => ({
      clientId,
      secretName,
      valueMs: staleSinceMs === undefined ? 0 : Math.max(0, nowMs - staleSinceMs),
    }));
  }

  #touch(clientId: string, secretName: string): TrackedSecret {
    const key = `${clientId}\u0000${secretName}`;
    const entry = this.#entries.get(key) ?? { clientId, secretName, keyChangedAtMonoMs: undefined, staleSinceMs: undefined };
    // Re-inserted on every event, so the Map's order is least recently active first.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return entry;
  }
}
