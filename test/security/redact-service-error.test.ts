import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redactServiceError } from '../../src/call/redact-service-error.js';
import { secretFormsOf } from '../../src/call/secret-forms-of.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';

const TOKEN = 'CAIS+gF1q6Ft5B2yfSjIr5bkKN3Yn+Vv0ZqJbVPQ1lI3e/9WmLjkszz2IHhMfXZrBOsZs/8/nW5Y7P4flrtvQoFFQBAL5AOBZdjGz+aGhQ==';
const SECRET = 'Xb/7+kQ2s9LmN0pR4tUv6wYz8aB3cD5eF7gH9iJ=';
const credential = new AccessKeyCredential({ accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2Bcx', accessKeySecret: SECRET, securityToken: TOKEN });
const ENCODED = encodeURIComponent(TOKEN);

function everything(error: unknown): string {
  return inspect(error, { depth: Infinity, showHidden: true });
}

describe('redactServiceError: every string of the error, however deep', () => {
  it('message and stack of the error and of each error in a cause chain 6 deep', () => {
    let error = new Error(`innermost ?SecurityToken=${ENCODED}`);
    for (let level = 0; level < 5; level++) error = new Error(`level ${level} secret=${SECRET}`, { cause: error });
    redactServiceError(error, credential);
    let current: unknown = error;
    let depth = 0;
    while (current instanceof Error) {
      expect(current.message).toContain('[redacted]');
      expect(current.stack).not.toContain(ENCODED);
      expect(current.stack).not.toContain(SECRET);
      current = current.cause;
      depth++;
    }
    expect(depth).toBe(6);
    expect(everything(error)).not.toContain(ENCODED);
  });

  it('a cycle (an error that is its own cause through another) ends, and both are cleaned', () => {
    const a = new Error(`a ${TOKEN}`) as Error & { cause?: unknown };
    const b = new Error(`b ${Buffer.from(SECRET).toString('base64')}`, { cause: a });
    a.cause = b;
    redactServiceError(a, credential);
    expect(a.message).toBe('a [redacted]');
    expect(b.message).toBe('b [redacted]');
  });

  it('the errors of an AggregateError, nested data, and a read-only message', () => {
    const inner = new Error('x');
    const lowerHex = ENCODED.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    Object.defineProperty(inner, 'message', { value: `read-only ${lowerHex}`, writable: false, configurable: true });
    const error = new AggregateError([inner], 'all failed', { cause: { data: { url: `http://h/?SecurityToken=${ENCODED}` } } });
    redactServiceError(error, credential);
    expect(inner.message).toBe('read-only [redacted]');
    expect(everything(error)).not.toContain(ENCODED);
    expect(everything(error)).not.toContain(lowerHex);
  });

  it('leaves an error without a secret as it was', () => {
    const error = new Error('connect ECONNREFUSED 127.0.0.1:1');
    const stack = error.stack;
    redactServiceError(error, credential);
    expect(error.message).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(error.stack).toBe(stack);
  });
});

describe('secretFormsOf', () => {
  it('builds the forms once per credential and keeps them', () => {
    const first = secretFormsOf(credential);
    expect(secretFormsOf(credential)).toBe(first);
    expect(first.forms).toContain(ENCODED);
    const other = new AccessKeyCredential({ accessKeyId: 'LTAI-other', accessKeySecret: 'another-secret-value-123' });
    expect(secretFormsOf(other)).not.toBe(first);
  });
});
