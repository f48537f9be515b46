import { KmsError, KmsErrorCode } from './kms-error.js';
import { mostTellingFailure } from './most-telling-failure.js';

/** What one source did during a fetch that ran out of time, for {@link fetchTimeoutError}. */
export interface SourceFetchHistory {
  /** The source's `description`, e.g. `dkms(127.0.0.1:4431)`. */
  readonly source: string;
  /** Errors of its failed attempts, oldest first. */
  readonly errors: readonly unknown[];
  /** How long (ms) the request still running at the deadline had waited; `undefined` when none was running. */
  readonly inFlightMs?: number | undefined;
  /** Monotonic ms of the last failure in `errors` (to tell which source failed last); optional. */
  readonly lastFailedAtMs?: number | undefined;
}

/** What {@link fetchTimeoutError} reports. */
export interface FetchTimeoutDetails {
  /** The secret asked for (a name, not a secret). */
  readonly secretName: string;
  /** The budget that ran out, in ms. */
  readonly budgetMs: number;
  /** Every source of the call, in configuration order, including the ones not tried yet. */
  readonly histories: readonly SourceFetchHistory[];
  /** `KmsError.source`: the description of the source that gives up (a failover group or a single source). */
  readonly source: string;
}

/**
 * The retryable `KmsError` `Kms.FetchTimeout` of a fetch that did not succeed within its budget. The message
 * names every source and what happened there, e.g. `GetSecretValue of "oss-ak" did not succeed within
 * 30000 ms: dkms(127.0.0.1:4431) refused the connection (Kms.NetworkError ECONNREFUSED) 3 times;
 * openapi(kms.cn-hangzhou.aliyuncs.com) answered HTTP 503 ServiceUnavailableTemporary`. It is built from
 * error codes, HTTP statuses and socket error codes only ({@link describeFetchFailure}): never from an
 * error message, which may echo something that is not ours to print. `cause` is the KMS-side reason: of
 * the last error of each source, the most telling one ({@link mostTellingFailure}: a throttled answer, else
 * any other answer from KMS, else the network failure or timeout); no `cause` when no request failed (all
 * were still in flight at the deadline).
 */
export function fetchTimeoutError(details: FetchTimeoutDetails): KmsError {
  const { secretName, budgetMs, histories, source } = details;
  const parts = histories.map((history) => `${history.source} ${describeHistory(history)}`);
  const cause = mostTellingFailure(
    histories.filter((h) => h.errors.length > 0).map((h) => ({ error: h.errors[h.errors.length - 1], atMs: h.lastFailedAtMs })),
  );
  return new KmsError(`GetSecretValue of "${secretName}" did not succeed within ${Math.round(budgetMs)} ms: ${parts.join('; ')}`, {
    code: KmsErrorCode.FetchTimeout,
    retryable: true,
    source,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The monotonic deadline of a call with `timeoutMs` (see `GetSecretValueOptions.timeoutMs`), or `undefined`
 * when it has none (`undefined` or `Infinity`).
 *
 * @throws KmsError `Kms.InvalidOptions` for a negative or non-numeric `timeoutMs`
 */
export function fetchDeadlineAtMs(nowMs: number, timeoutMs: number | undefined, description: string): number | undefined {
  if (timeoutMs === undefined || timeoutMs === Infinity) return undefined;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new KmsError(
      `getSecretValue of ${description}: timeoutMs must be a number of ms >= 0, got ${typeof timeoutMs === 'number' ? timeoutMs : typeof timeoutMs}`,
      { code: KmsErrorCode.InvalidOptions, retryable: false },
    );
  }
  return nowMs + timeoutMs;
}

const SOCKET_CODE = /^E[A-Z0-9_]{2,40}$/;
const SAFE_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/;

/**
 * What one failed attempt looks like in a `Kms.FetchTimeout` message: `refused the connection (Kms.NetworkError
 * ECONNREFUSED)`, `timed out waiting for an answer (Kms.ReadTimeout)`, `answered HTTP 503
 * ServiceUnavailableTemporary`, `throttled (HTTP 429 Rejected.Throttling)`, ... Uses the error's `code`,
 * `httpStatus` and its cause's socket error code, each checked to look like a code; never a message.
 */
export function describeFetchFailure(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'failed (unknown error)';
  const { code, name, httpStatus, cause } = error as { code?: unknown; name?: unknown; httpStatus?: unknown; cause?: unknown };
  const label = safeCode(code) ?? safeCode(name) ?? 'error';
  const socketCode = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const errno = typeof socketCode === 'string' && SOCKET_CODE.test(socketCode) ? socketCode : undefined;
  switch (label) {
    case KmsErrorCode.NetworkError:
      if (errno === 'ECONNREFUSED') return 'refused the connection (Kms.NetworkError ECONNREFUSED)';
      if (errno === 'ECONNRESET' || errno === 'EPIPE') return `dropped the connection (Kms.NetworkError ${errno})`;
      return `failed on the network (Kms.NetworkError${errno === undefined ? '' : ` ${errno}`})`;
    case KmsErrorCode.ConnectTimeout:
      return 'timed out connecting (Kms.ConnectTimeout)';
    case KmsErrorCode.ReadTimeout:
      return 'timed out waiting for an answer (Kms.ReadTimeout)';
    case KmsErrorCode.Timeout:
      return 'timed out (Kms.Timeout)';
    case KmsErrorCode.FetchTimeout:
      return 'had no answer by the deadline (Kms.FetchTimeout)';
    case KmsErrorCode.TlsVerificationFailed:
      return `failed TLS certificate verification (${label})`;
    default:
      break;
  }
  if (typeof httpStatus === 'number' && Number.isInteger(httpStatus)) {
    return /throttl/i.test(label) || httpStatus === 429 ? `throttled (HTTP ${httpStatus} ${label})` : `answered HTTP ${httpStatus} ${label}`;
  }
  return `failed (${label})`;
}

function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && SAFE_CODE.test(value) ? value : undefined;
}

/** `refused the connection (...) 3 times, then had no answer by the deadline (request in flight for 900 ms)`. */
function describeHistory(history: SourceFetchHistory): string {
  const runs: { text: string; count: number }[] = [];
  for (const error of history.errors) {
    const text = describeFetchFailure(error);
    const last = runs[runs.length - 1];
    if (last?.text === text) last.count++;
    else runs.push({ text, count: 1 });
  }
  const phrases = runs.map((run) => (run.count === 1 ? run.text : `${run.text} ${run.count} times`));
  if (history.inFlightMs !== undefined) {
    phrases.push(`had no answer by the deadline (request in flight for ${Math.round(history.inFlightMs)} ms)`);
  }
  return phrases.length === 0 ? 'was not tried' : phrases.join(', then ');
}
