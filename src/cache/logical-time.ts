let last = 0;

/**
 * The next tick of the process-wide logical clock that orders fetch starts and rejection reports exactly (two
 * can share one millisecond): a fetch answers a report only if it started after it.
 */
export function nextLogicalTime(): number {
  return ++last;
}
