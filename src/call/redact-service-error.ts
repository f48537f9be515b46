import { ClientRequest, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';

const REDACTED = '[redacted]';
const MAX_DEPTH = 4;

/**
 * Makes an error thrown by ali-oss or a Tea SDK client safe to log: hides `params` (the request parameters, including the body)
 * from `util.inspect` and `JSON.stringify` while keeping it readable as a property, replaces any string
 * that contains the credential's secret or token, anywhere in the error, with `[redacted]`, and replaces
 * the HTTP response, request and socket objects ali-oss leaves on some errors (`err.res.res` of a bare 403
 * on `getStream`) with secret-free summaries: through `socket._httpMessage` they hold the raw request
 * headers, STS token included, which `util.inspect(err, { depth: Infinity })` would print.
 */
export function redactServiceError(error: unknown, credential: AccessKeyCredential | undefined): void {
  if (typeof error !== 'object' || error === null) return;
  const descriptor = Object.getOwnPropertyDescriptor(error, 'params');
  if (descriptor?.enumerable && descriptor.configurable) {
    Object.defineProperty(error, 'params', { ...descriptor, enumerable: false });
  }
  const secrets = [credential?.accessKeySecret, credential?.securityToken].filter(
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
    const summary = typeof value === 'object' && value !== null ? networkObjectSummary(value) : undefined;
    if (summary !== undefined) {
      try {
        (target as Record<string, unknown>)[key] = summary;
      } catch {
        // read-only property: leave it
      }
    } else if (typeof value === 'string') {
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

/**
 * A secret-free stand-in for a socket-bearing HTTP object (already consumed by ali-oss when the error is
 * thrown), keeping what callers read from an error response: status and response headers.
 */
function networkObjectSummary(value: object): Record<string, unknown> | undefined {
  if (value instanceof IncomingMessage) {
    return { redacted: 'IncomingMessage', statusCode: value.statusCode, statusMessage: value.statusMessage, headers: { ...value.headers } };
  }
  if (value instanceof ClientRequest) return { redacted: 'ClientRequest', method: value.method };
  if (value instanceof Socket) return { redacted: 'Socket' };
  return undefined;
}

function isStream(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe === 'function';
}
