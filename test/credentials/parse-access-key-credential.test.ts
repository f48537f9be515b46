import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccessKeyCredential } from '../../src/credentials/parse-access-key-credential.js';
import { SecretDataError, SecretDataErrorCode } from '../../src/credentials/secret-data-error.js';

const SECRET = 'TopSecretValue-1234567890abcdef';

function parse(secretData: string) {
  return parseAccessKeyCredential({ secretName: 'oss-ak', secretData, versionId: 'v7' });
}

function failure(secretData: string): SecretDataError {
  try {
    parse(secretData);
  } catch (error) {
    expect(error).toBeInstanceOf(SecretDataError);
    return error as SecretDataError;
  }
  throw new Error('expected a SecretDataError');
}

function expectNoLeak(error: SecretDataError, secret: string): void {
  expect(error.message).not.toContain(secret);
  expect(inspect(error, { depth: 5 })).not.toContain(secret);
  expect(JSON.stringify(error)).not.toContain(secret);
  expect(error.cause).toBeUndefined();
}

describe('parseAccessKeyCredential', () => {
  it('reads the required fields and the optional ones', () => {
    const credential = parse(
      JSON.stringify({
        AccessKeyId: 'LTAI5tExample',
        AccessKeySecret: SECRET,
        SecurityToken: 'sts-token-value',
        GenerateTimestamp: '2026-01-02T03:04:05Z',
        ExpireTimestamp: '2026-02-02T03:04:05Z',
        UnknownField: 'ignored',
      }),
    );
    expect(credential.accessKeyId).toBe('LTAI5tExample');
    expect(credential.accessKeySecret).toBe(SECRET);
    expect(credential.securityToken).toBe('sts-token-value');
    expect(credential.generatedAtMs).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(credential.expiresAtMs).toBe(Date.UTC(2026, 1, 2, 3, 4, 5));
    expect(credential.secretName).toBe('oss-ak');
    expect(credential.versionId).toBe('v7');
  });

  it('treats empty and null optional fields as absent', () => {
    const credential = parse(
      JSON.stringify({ AccessKeyId: 'LTAI5tExample', AccessKeySecret: SECRET, SecurityToken: '', GenerateTimestamp: null }),
    );
    expect(credential.securityToken).toBeUndefined();
    expect(credential.generatedAtMs).toBeUndefined();
    expect(credential.expiresAtMs).toBeUndefined();
  });

  it.each([
    ['not JSON', `{AccessKeyId: x, AccessKeySecret: ${SECRET}`, SecretDataErrorCode.NotJson, undefined],
    ['a JSON array', JSON.stringify([SECRET]), SecretDataErrorCode.NotAnObject, undefined],
    ['a JSON string', JSON.stringify(SECRET), SecretDataErrorCode.NotAnObject, undefined],
    ['null', 'null', SecretDataErrorCode.NotAnObject, undefined],
    ['without AccessKeyId', JSON.stringify({ AccessKeySecret: SECRET }), SecretDataErrorCode.MissingField, 'AccessKeyId'],
    ['with an empty AccessKeyId', JSON.stringify({ AccessKeyId: '', AccessKeySecret: SECRET }), SecretDataErrorCode.MissingField, 'AccessKeyId'],
    ['without AccessKeySecret', JSON.stringify({ AccessKeyId: 'LTAI5t' }), SecretDataErrorCode.MissingField, 'AccessKeySecret'],
    ['with a numeric AccessKeySecret', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: 12345 }), SecretDataErrorCode.InvalidField, 'AccessKeySecret'],
    ['with whitespace in AccessKeySecret', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: `${SECRET} x` }), SecretDataErrorCode.InvalidField, 'AccessKeySecret'],
    ['with an object SecurityToken', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: SECRET, SecurityToken: { t: SECRET } }), SecretDataErrorCode.InvalidField, 'SecurityToken'],
    ['with a malformed GenerateTimestamp', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: SECRET, GenerateTimestamp: 'yesterday' }), SecretDataErrorCode.InvalidField, 'GenerateTimestamp'],
    ['with a numeric ExpireTimestamp', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: SECRET, ExpireTimestamp: 1 }), SecretDataErrorCode.InvalidField, 'ExpireTimestamp'],
    ['with an impossible date', JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: SECRET, ExpireTimestamp: '2026-13-45T99:00:00Z' }), SecretDataErrorCode.InvalidField, 'ExpireTimestamp'],
  ])('rejects SecretData %s with a typed error naming the secret, never the data', (_label, secretData, code, field) => {
    const error = failure(secretData);
    expect(error.code).toBe(code);
    expect(error.name).toBe('SecretDataError');
    expect(error.field).toBe(field);
    expect(error.secretName).toBe('oss-ak');
    expect(error.versionId).toBe('v7');
    expect(error.message).toContain('oss-ak');
    if (field) expect(error.message).toContain(field);
    expectNoLeak(error, SECRET);
  });

  it('never echoes any part of arbitrary malformed SecretData (property)', () => {
    const marker = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);
    const malformed = fc.oneof(
      marker.map((s) => `{"AccessKeyId": "${s}", "AccessKeySecret": ${s}}`), // unquoted value: not JSON
      marker.map((s) => JSON.stringify({ AccessKeySecret: s })),
      marker.map((s) => JSON.stringify({ AccessKeyId: s })),
      marker.map((s) => JSON.stringify([s, s])),
      marker.map((s) => `${s}`),
      marker.map((s) => JSON.stringify({ AccessKeyId: 'LTAI5t', AccessKeySecret: s, ExpireTimestamp: s })),
    );
    fc.assert(
      fc.property(malformed, (secretData) => {
        let caught: unknown;
        try {
          parse(secretData);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(SecretDataError);
        const text = `${(caught as Error).message} ${inspect(caught)} ${JSON.stringify(caught)}`;
        for (const token of secretData.match(/[A-Za-z0-9]{12,}/g) ?? []) {
          if (token !== 'AccessKeySecret' && token !== 'ExpireTimestamp') expect(text).not.toContain(token);
        }
      }),
    );
  });
});
