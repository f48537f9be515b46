import { ClientRequest, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { SecretForms } from './secret-forms.js';
import { secretFormsOf } from './secret-forms-of.js';

const REDACTED = '[redacted]';
/** Nesting followed into an error: `cause` chains, `errors` of an AggregateError, a response's fields. */
const MAX_DEPTH = 8;

/**
 * Makes an error thrown by ali-oss or a Tea SDK client safe to log: hides `params` (the request parameters, including the body)
 * from `util.inspect` and `JSON.stringify` while keeping it readable as a property, replaces the credential's
 * secret and token in every string of the error (message, stack, `cause` chain and nested fields, up to 8 levels
 * deep, cycles followed once) with `[redacted]`, in every encoding a layer may have given them (literal,
 * percent-encoded as in a signed URL a Tea client's network error appends, base64; see
 * {@link SecretForms}), and replaces
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
  const forms = credential === undefined ? undefined : secretFormsOf(credential);
  scrub(error, forms, 0, new WeakSet());
}

function scrub(target: object, forms: SecretForms | undefined, depth: number, seen: WeakSet<object>): void {
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
      replace(target, key, summary);
    } else if (typeof value === 'string') {
      const cleaned = forms === undefined ? value : forms.redact(value, REDACTED);
      if (cleaned !== value) replace(target, key, cleaned);
    } else if (typeof value === 'object' && value !== null && !isStream(value)) {
      scrub(value, forms, depth + 1, seen);
    }
  }
}

/** Sets `target[key]`; a read-only but configurable property is redefined, a frozen one left as it is. */
function replace(target: object, key: string, value: unknown): void {
  try {
    (target as Record<string, unknown>)[key] = value;
    if ((target as Record<string, unknown>)[key] === value) return;
  } catch {
    // read-only: try to redefine it below
  }
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor?.configurable) {
    Object.defineProperty(target, key, { value, writable: false, enumerable: descriptor.enumerable ?? false, configurable: true });
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
