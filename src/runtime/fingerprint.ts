import { createHash } from 'node:crypto';

/**
 * A short, non-reversible fingerprint of a secret (first 8 hex digits of its SHA-256), so logs and
 * `util.inspect` output can tell two secrets apart without showing either.
 */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8);
}
