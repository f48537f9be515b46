import type { IncomingMessage } from 'node:http';
import { OssServiceError } from './oss-service-error.js';

/** Thrown when the client went away before the body was complete; nothing must be stored then. */
export class BodyAbortedError extends OssServiceError {
  /** Body bytes that did arrive. */
  readonly receivedBytes: number;

  /** @param receivedBytes - body bytes that did arrive */
  constructor(receivedBytes: number) {
    super('IncompleteBody', { message: 'The connection closed before the request body was complete.' });
    this.receivedBytes = receivedBytes;
  }
}

/**
 * Reads the whole request body. Resolves only when the body arrived completely: all `Content-Length` bytes,
 * or a chunked body up to its terminating chunk. A truncated or aborted upload rejects (and must not be
 * stored), as does a body larger than `maxBytes` (`EntityTooLarge`).
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  const declaredLength = declared === undefined ? undefined : Number(declared);
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    request.resume();
    throw new OssServiceError('EntityTooLarge');
  }
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of request) {
      const buffer = chunk as Buffer;
      received += buffer.length;
      if (received > maxBytes) throw new OssServiceError('EntityTooLarge');
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof OssServiceError) throw error;
    throw new BodyAbortedError(received);
  }
  // `complete` is only set once the parser saw the end of the message (length reached / last chunk).
  if (!request.complete || (declaredLength !== undefined && received !== declaredLength)) {
    throw new BodyAbortedError(received);
  }
  return Buffer.concat(chunks, received);
}
