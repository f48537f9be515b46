import { isStreamLike } from '../call/is-stream-like.js';

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
  if (method === 'request') return isReplayableRequestParams(args[0]);
  return !args.some(isStreamLike);
}

/**
 * For a direct `request(params)`: ali-oss's request parameters carry a body stream in `params.stream` and a
 * sink in `params.writeStream`; `params.content` (Buffer or string) is re-signed and re-sent unchanged.
 */
function isReplayableRequestParams(params: unknown): boolean {
  if (typeof params !== 'object' || params === null) return true;
  const { stream, writeStream } = params as { stream?: unknown; writeStream?: unknown };
  return !stream && !writeStream && !isStreamLike(params);
}
