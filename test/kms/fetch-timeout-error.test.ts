import { describe, expect, it } from 'vitest';
import { describeFetchFailure, fetchDeadlineAtMs, fetchTimeoutError } from '../../src/kms/fetch-timeout-error.js';
import { KmsError } from '../../src/kms/kms-error.js';

const SECRET = 'AccessKeySecret=leaked-Zq8xW2vR5tY7';
const errno = (code: string) => Object.assign(new Error(`connect ${code} ${SECRET}`), { code });
const kms = (code: string, extra: { httpStatus?: number; cause?: unknown } = {}) =>
  new KmsError(`${code}: ${SECRET}`, { code, retryable: true, ...extra });

describe('describeFetchFailure', () => {
  it.each([
    [kms('Kms.NetworkError', { cause: errno('ECONNREFUSED') }), 'refused the connection (Kms.NetworkError ECONNREFUSED)'],
    [kms('Kms.NetworkError', { cause: errno('ECONNRESET') }), 'dropped the connection (Kms.NetworkError ECONNRESET)'],
    [kms('Kms.NetworkError', { cause: errno('ENOTFOUND') }), 'failed on the network (Kms.NetworkError ENOTFOUND)'],
    [kms('Kms.NetworkError'), 'failed on the network (Kms.NetworkError)'],
    [kms('Kms.ConnectTimeout'), 'timed out connecting (Kms.ConnectTimeout)'],
    [kms('Kms.ReadTimeout'), 'timed out waiting for an answer (Kms.ReadTimeout)'],
    [kms('Kms.Timeout'), 'timed out (Kms.Timeout)'],
    [kms('Kms.FetchTimeout'), 'had no answer by the deadline (Kms.FetchTimeout)'],
    [kms('Kms.TlsVerificationFailed'), 'failed TLS certificate verification (Kms.TlsVerificationFailed)'],
    [kms('ServiceUnavailableTemporary', { httpStatus: 503 }), 'answered HTTP 503 ServiceUnavailableTemporary'],
    [kms('Rejected.Throttling', { httpStatus: 400 }), 'throttled (HTTP 400 Rejected.Throttling)'],
    [kms('Kms.HttpError', { httpStatus: 429 }), 'throttled (HTTP 429 Kms.HttpError)'],
    [kms('Kms.InvalidResponse'), 'failed (Kms.InvalidResponse)'],
    [new TypeError(SECRET), 'failed (TypeError)'],
    ['text', 'failed (unknown error)'],
  ])('%# describes the outcome from codes only', (error, text) => {
    expect(describeFetchFailure(error)).toBe(text);
  });

  it('does not print a code or socket code that does not look like one', () => {
    const odd = new KmsError('x', { code: `Weird ${SECRET}`, retryable: true, httpStatus: 502 });
    expect(describeFetchFailure(odd)).toBe('answered HTTP 502 KmsError');
    const network = new KmsError('x', { code: 'Kms.NetworkError', retryable: true, cause: { code: `E ${SECRET}` } });
    expect(describeFetchFailure(network)).toBe('failed on the network (Kms.NetworkError)');
  });
});

describe('fetchTimeoutError', () => {
  it('names each source with its outcomes in order, counts repeats, and gives the most telling last error as cause', () => {
    const refused = kms('Kms.NetworkError', { cause: errno('ECONNREFUSED') });
    const unavailable = kms('ServiceUnavailableTemporary', { httpStatus: 503 });
    const error = fetchTimeoutError({
      secretName: 'oss-ak',
      budgetMs: 1500.4,
      source: 'failover(...)',
      histories: [
        { source: 'dkms(a)', errors: [refused, refused, refused] },
        { source: 'dkms(b)', errors: [unavailable], inFlightMs: 899.6 },
        { source: 'openapi(c)', errors: [] },
      ],
    });
    expect(error).toBeInstanceOf(KmsError);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, source: 'failover(...)' });
    expect(error.message).toBe(
      'GetSecretValue of "oss-ak" did not succeed within 1500 ms: dkms(a) refused the connection (Kms.NetworkError ECONNREFUSED) 3 times; ' +
        'dkms(b) answered HTTP 503 ServiceUnavailableTemporary, then had no answer by the deadline (request in flight for 900 ms); ' +
        'openapi(c) was not tried',
    );
    expect(error.message).not.toContain(SECRET);
    // dkms(b)'s 503 is an answer from KMS; dkms(a) only had refused connections.
    expect(error.cause).toBe(unavailable);
  });

  it('takes a throttled answer as the cause over later failures of other sources, and has none when nothing failed', () => {
    const refused = kms('Kms.NetworkError', { cause: errno('ECONNREFUSED') });
    const throttled = kms('Rejected.Throttling', { httpStatus: 429 });
    const error = fetchTimeoutError({
      secretName: 'oss-ak',
      budgetMs: 30_000,
      source: 'failover(...)',
      histories: [
        { source: 'dkms(a)', errors: [throttled], lastFailedAtMs: 100 },
        { source: 'openapi(b)', errors: [refused, refused], lastFailedAtMs: 29_000 },
      ],
    });
    expect(error.cause).toBe(throttled);
    const nothing = fetchTimeoutError({ secretName: 'oss-ak', budgetMs: 5, source: 's', histories: [{ source: 's', errors: [], inFlightMs: 5 }] });
    expect(nothing.cause).toBeUndefined();
  });
});

describe('fetchDeadlineAtMs', () => {
  it('adds a timeout to now, has no deadline without one, and refuses a negative or NaN timeout', () => {
    expect(fetchDeadlineAtMs(1_000, 500, 'x')).toBe(1_500);
    expect(fetchDeadlineAtMs(1_000, 0, 'x')).toBe(1_000);
    expect(fetchDeadlineAtMs(1_000, undefined, 'x')).toBeUndefined();
    expect(fetchDeadlineAtMs(1_000, Infinity, 'x')).toBeUndefined();
    expect(() => fetchDeadlineAtMs(0, -1, 'dkms(a)')).toThrow(expect.objectContaining({ code: 'Kms.InvalidOptions', message: expect.stringContaining('dkms(a)') }));
    expect(() => fetchDeadlineAtMs(0, Number.NaN, 'x')).toThrow(/timeoutMs/);
  });
});
