import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretForms } from '../../src/call/secret-forms.js';

const TOKEN = 'CAIS+gF1q6Ft5B2yfSjIr5bkKN3Yn+Vv0ZqJbVPQ1lI3e/9WmLjkszz2IHhMfXZrBOsZs/8/nW5Y7P4flrtvQoFFQBAL5AOBZdjGz+aGhQ==';

function redact(text: string, secrets: string[]): string {
  return new SecretForms(secrets).redact(text, '[redacted]');
}

/** RFC 3986 percent-encoding, as the Tea signers do it (encodeURIComponent leaves `!'()*`). */
function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const FORMS: Record<string, (secret: string) => string> = {
  literal: (s) => s,
  encodeURIComponent: (s) => encodeURIComponent(s),
  'percent, lower hex': (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  'RFC 3986': rfc3986,
  'form-urlencoded (+ for space)': (s) => new URLSearchParams({ v: s }).toString().slice(2),
  'percent-encoded twice': (s) => encodeURIComponent(encodeURIComponent(s)),
  'RFC 3986, lower hex, twice': (s) => rfc3986(rfc3986(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())),
  base64: (s) => Buffer.from(s).toString('base64'),
  'base64, no padding': (s) => Buffer.from(s).toString('base64').replace(/=+$/, ''),
  base64url: (s) => Buffer.from(s).toString('base64url'),
  'base64, percent-encoded': (s) => encodeURIComponent(Buffer.from(s).toString('base64')),
  'inside a longer base64 text (offset 1)': (s) => Buffer.from(`a${s}zz`).toString('base64'),
  'inside a longer base64 text (offset 2)': (s) => Buffer.from(`ab${s}z`).toString('base64'),
  'Basic auth header': (s) => `Basic ${Buffer.from(`LTAI5tExample:${s}`).toString('base64')}`,
};

describe('secretTextPattern', () => {
  it.each(Object.entries(FORMS))('finds a real-shaped STS token %s in a URL', (_name, encode) => {
    const text = `POST http://127.0.0.1:1/?Action=X&SecurityToken=${encode(TOKEN)}&Signature=abc failed.`;
    const redacted = redact(text, [TOKEN]);
    expect(redacted).toContain('[redacted]');
    expect(redacted).not.toContain(encode(TOKEN));
    expect(redacted.startsWith('POST http://127.0.0.1:1/?Action=X&SecurityToken=')).toBe(true);
    expect(redacted.endsWith('&Signature=abc failed.')).toBe(true);
  });

  it('a secret with a space, an apostrophe and a non-ASCII letter, in every form', () => {
    const secret = "pass word's ünïcode*(x)";
    for (const encode of Object.values(FORMS)) {
      expect(redact(`[${encode(secret)}]`, [secret]), encode(secret)).not.toContain(encode(secret));
    }
  });

  it('leaves text without the secret unchanged, and has no forms for no secrets', () => {
    expect(new SecretForms([]).forms).toEqual([]);
    expect(new SecretForms(['']).forms).toEqual([]);
    const text = 'connect ECONNREFUSED 127.0.0.1:42641 SecurityToken=CAIS%2Bother&AccessKeyId=STS.x';
    expect(redact(text, [TOKEN, 'Xb/7+kQ2s9LmN0pR4tUv6wYz8aB3cD5eF7gH9iJ='])).toBe(text);
  });

  it('is case-sensitive in the secret itself, and knows both hex cases of its escapes', () => {
    expect(redact('abcDEF1234', ['abcdef1234'])).toBe('abcDEF1234');
    expect(redact('<x%2fy%2fz>', ['x/y/z'])).toBe('<[redacted]>');
    expect(redact('<x%2Fy%2Fz>', ['x/y/z'])).toBe('<[redacted]>');
  });

  it('costs little: the forms of a 1 kB token are built in a few milliseconds and searched in microseconds', () => {
    const token = TOKEN.repeat(10);
    const started = performance.now();
    const forms = new SecretForms([token, 'Xb/7+kQ2s9LmN0pR4tUv6wYz8aB3cD5eF7gH9iJ=']);
    const builtMs = performance.now() - started;
    const text = `connect ECONNREFUSED 127.0.0.1:1 POST http://127.0.0.1:1/?SecurityToken=${encodeURIComponent(token)}&x=1 failed.`;
    const searchStarted = performance.now();
    for (let i = 0; i < 1000; i++) forms.redact(text, '[redacted]');
    const perSearchMs = (performance.now() - searchStarted) / 1000;
    expect(builtMs).toBeLessThan(50);
    expect(perSearchMs).toBeLessThan(1);
  });

  it('property: any secret of 12+ characters, in any form, embedded anywhere, does not survive', () => {
    const formNames = Object.keys(FORMS);
    fc.assert(
      fc.property(
        fc.string({ minLength: 12, maxLength: 80, unit: 'grapheme-ascii' }),
        fc.constantFrom(...formNames),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        (secret, formName, before, after) => {
          const encoded = FORMS[formName]!(secret);
          const redacted = redact(`${before}${encoded}${after}`, [secret]);
          expect(redacted).not.toContain(encoded);
          if (!formName.includes('base64') && !formName.includes('Basic')) expect(redacted).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});
