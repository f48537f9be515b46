/**
 * Whether a value whose refreshes have failed since `staleSinceMs` may no longer be served. Pure.
 * `maxStalenessMs` 0 means no limit; all times on one clock (monotonic in the cache).
 */
export function isTooStale(staleSinceMs: number | undefined, nowMs: number, maxStalenessMs: number): boolean {
  return staleSinceMs !== undefined && maxStalenessMs > 0 && nowMs - staleSinceMs > maxStalenessMs;
}
