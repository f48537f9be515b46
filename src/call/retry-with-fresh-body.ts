/** Extra fields put on an error that is rethrown after a refresh without a retry. */
export interface RetryWithFreshBodyAnnotation {
  /**
   * `true` when the AccessKey was rejected, the cache now holds a new key, but the call was not retried
   * because its body (a stream) or sink was already consumed: calling again with a fresh stream will work.
   */
  retryWithFreshBody?: boolean;
}

/**
 * Marks an error whose call was not replayed although a fresh key is loaded: sets `retryWithFreshBody` and
 * says so in the message, so the caller knows a second call with a fresh stream will work.
 */
export function markRetryWithFreshBody(error: unknown): void {
  if (typeof error !== 'object' || error === null) return;
  (error as RetryWithFreshBodyAnnotation).retryWithFreshBody = true;
  if (error instanceof Error) {
    error.message +=
      ' (the AccessKey was rotated and a fresh key is now loaded, but this call was not retried because its ' +
      'stream body or sink was already consumed; call again with a fresh stream)';
  }
}
