/**
 * A 403 without an error code: what ali-oss reports when it cannot read the error body (`getStream`,
 * `get(name, writable)`), whatever the cause. Weak evidence of a rejected key.
 */
export function isCodeless403(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { status, code } = error as { status?: unknown; code?: unknown };
  return status === 403 && (code === undefined || code === null || code === '');
}
