/**
 * Node streams and anything else that pipes or is written to: a request body or sink that a first attempt
 * has (partly) consumed, so it must never be sent again.
 */
export function isStreamLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { pipe?: unknown; write?: unknown; on?: unknown };
  return typeof candidate.on === 'function' && (typeof candidate.pipe === 'function' || typeof candidate.write === 'function');
}
