import type { AccessKeyCredential } from '../credentials/access-key-credential.js';

const REDACTED = '[redacted]';
const MAX_DEPTH = 4;

/**
 * Makes an error thrown by ali-oss safe to log: hides `params` (the request parameters, including the body)
 * from `util.inspect` and `JSON.stringify` while keeping it readable as a property, and replaces any string
 * that contains the credential's secret or token, anywhere in the error, with `[redacted]`.
 */
export function redactOssError(error: unknown, credential: AccessKeyCredential | undefined): void {
  if (typeof error !== 'object' || error === null) return;
  const descriptor = Object.getOwnPropertyDescriptor(error, 'params');
  if (descriptor?.enumerable && descriptor.configurable) {
    Object.defineProperty(error, 'params', { ...descriptor, enumerable: false });
  }
  if (!credential) return;
  const secrets = [credential.accessKeySecret, credential.securityToken].filter(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  scrub(error, secrets, 0, new WeakSet());
}

function scrub(target: object, secrets: readonly string[], depth: number, seen: WeakSet<object>): void {
  if (depth > MAX_DEPTH || seen.has(target) || Buffer.isBuffer(target)) return;
  seen.add(target);
  const keys = target instanceof Error ? [...Object.getOwnPropertyNames(target)] : Object.keys(target);
  for (const key of keys) {
    let value: unknown;
    try {
      value = (target as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof value === 'string') {
      if (secrets.some((secret) => value.includes(secret))) {
        let cleaned = value;
        for (const secret of secrets) cleaned = cleaned.split(secret).join(REDACTED);
        try {
          (target as Record<string, unknown>)[key] = cleaned;
        } catch {
          // read-only property: nothing we can do, and nothing of ours put the secret there
        }
      }
    } else if (typeof value === 'object' && value !== null && !isStream(value)) {
      scrub(value, secrets, depth + 1, seen);
    }
  }
}

function isStream(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe === 'function';
}
