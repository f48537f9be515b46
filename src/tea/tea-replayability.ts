import { isStreamLike } from '../call/is-stream-like.js';

/**
 * Whether a low-level Tea request (`doRPCRequest`, `doROARequest`, `doROARequestWithForm`, `doRequest`,
 * `execute`) can be sent again after the service rejected its key. Not when a Node stream appears among its
 * arguments or as the `stream` or `body` of one (an `OpenApiRequest` carries an upload as `stream`, and
 * `@alicloud/oss20190517` puts the same Readable in `body` too): the first attempt has consumed it, and
 * re-sending it would store an empty or truncated object. Maps, strings and Buffers are rebuilt per attempt.
 */
export function isReplayableTeaRequest(args: readonly unknown[]): boolean {
  for (const arg of args) {
    if (isStreamLike(arg)) return false;
    if (typeof arg === 'object' && arg !== null) {
      const { stream, body } = arg as { stream?: unknown; body?: unknown };
      if (isStreamLike(stream) || isStreamLike(body)) return false;
    }
  }
  return true;
}
