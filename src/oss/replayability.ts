/**
 * Whether a call can be sent again after OSS rejected its AccessKey without losing or corrupting data.
 *
 * Buffers, strings, file paths (ali-oss re-opens the file per attempt) and calls without a body are
 * replayable. A Readable body has been (partly) consumed by the first attempt, and a Writable sink has
 * received the error body, so those are not: re-sending a consumed stream would store an empty or
 * truncated object.
 */
export function isReplayableCall(method: string, args: readonly unknown[]): boolean {
  if (method === 'putStream') return false;
  return !args.some(isStreamLike);
}

/** Node streams and anything else that pipes or is written to. */
export function isStreamLike(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { pipe?: unknown; write?: unknown; on?: unknown };
  return typeof candidate.on === 'function' && (typeof candidate.pipe === 'function' || typeof candidate.write === 'function');
}
