import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { mostTellingFailure } from '../../src/kms/most-telling-failure.js';

const kms = (code: string, httpStatus?: number) =>
  new KmsError(code, { code, retryable: true, ...(httpStatus === undefined ? {} : { httpStatus }) });
const throttled = kms('Rejected.Throttling', 429);
const throttledUser = kms('Throttling.User', 400);
const unavailable = kms('ServiceUnavailableTemporary', 503);
const proxyPage = kms('Kms.HttpError', 502);
const invalid = kms('Kms.InvalidResponse');
const noCredentials = kms('Kms.CredentialsUnavailable');
const refused = kms('Kms.NetworkError');
const readTimeout = kms('Kms.ReadTimeout');
const connectTimeout = kms('Kms.ConnectTimeout');
const bug = new TypeError('not a KMS error');

describe('mostTellingFailure', () => {
  it.each([
    { name: 'nothing failed', failures: [], cause: undefined },
    { name: 'one failure is the reason', failures: [{ error: refused }], cause: refused },
    { name: 'throttled beats a later refused connection', failures: [{ error: throttled, atMs: 1 }, { error: refused, atMs: 9 }], cause: throttled },
    { name: 'throttled beats a later 503', failures: [{ error: unavailable, atMs: 9 }, { error: throttledUser, atMs: 1 }], cause: throttledUser },
    { name: 'an answer (503) beats no answer (read timeout)', failures: [{ error: readTimeout, atMs: 9 }, { error: unavailable, atMs: 1 }], cause: unavailable },
    { name: 'a proxy page is an answer', failures: [{ error: connectTimeout, atMs: 9 }, { error: proxyPage, atMs: 1 }], cause: proxyPage },
    { name: 'an unreadable answer beats no answer', failures: [{ error: refused, atMs: 9 }, { error: invalid, atMs: 1 }], cause: invalid },
    { name: 'credential trouble beats no answer', failures: [{ error: refused, atMs: 9 }, { error: noCredentials, atMs: 1 }], cause: noCredentials },
    { name: 'the later of two equally telling', failures: [{ error: unavailable, atMs: 5 }, { error: proxyPage, atMs: 7 }], cause: proxyPage },
    { name: 'the first listed when times are equal', failures: [{ error: refused, atMs: 5 }, { error: readTimeout, atMs: 5 }], cause: refused },
    { name: 'the first listed when times are unknown', failures: [{ error: readTimeout }, { error: refused }], cause: readTimeout },
    { name: 'any error object beats a thrown non-object', failures: [{ error: 'text', atMs: 9 }, { error: bug, atMs: 1 }], cause: bug },
  ])('$name', ({ failures, cause }) => {
    expect(mostTellingFailure(failures)).toBe(cause);
  });
});
