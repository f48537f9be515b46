import type { IncomingMessage } from 'node:http';

/** What {@link readCappedAnswer} reports; exactly one of them ends the answer (the caller settles once). */
export interface CappedAnswerHandlers {
  /** The body is larger than allowed (by its `content-length` or as read): the caller ends the request. */
  tooLarge(): void;
  /** The answer broke off: a socket error, or the connection closed before the body's end. */
  failed(error: NodeJS.ErrnoException): void;
  /** The whole body. */
  done(body: Buffer): void;
}

/**
 * Reads a KMS answer's body, never holding more than `maxBytes` of it: the one body reader of the sources that
 * speak HTTP themselves (the KMS instance's HTTPS, the KMS Agent's loopback HTTP).
 */
export function readCappedAnswer(response: IncomingMessage, maxBytes: number, on: CappedAnswerHandlers): void {
  if (Number(response.headers['content-length']) > maxBytes) {
    on.tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  response.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      on.tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  response.on('error', (error: NodeJS.ErrnoException) => on.failed(error));
  response.on('close', () => {
    if (!response.complete && !over) on.failed(Object.assign(new Error('connection closed mid-answer'), { code: 'ECONNRESET' }));
  });
  response.on('end', () => on.done(Buffer.concat(chunks)));
}
