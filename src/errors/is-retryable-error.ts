/**
 * Whether `error` says that trying again (later, or on another source) may succeed: a `KmsError` (or any
 * error object) with `retryable: true`. Anything else — a non-retryable service error, a bug, a value that
 * is not an error — counts as final. Duck-typed so errors from another copy of this library (ESM and CJS
 * loaded side by side) are judged the same way. The one rule for "retryable" in this library (internal).
 */
export function isRetryableError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}
