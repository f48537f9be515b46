import { KmsErrorCode } from './kms-error.js';
import { isThrottlingError } from './throttle-pacing.js';

/** One source's latest failure, as {@link mostTellingFailure} weighs it. */
export interface SourceFailure {
  /** What the source's latest attempt rejected with. */
  readonly error: unknown;
  /** Monotonic ms when it failed; the later one wins between failures that say as much. */
  readonly atMs?: number | undefined;
}

/** Codes of our own making that mean "nothing came back from KMS" (unreachable, no answer in time). */
const NO_ANSWER_CODES: ReadonlySet<string> = new Set([
  KmsErrorCode.NetworkError,
  KmsErrorCode.ConnectTimeout,
  KmsErrorCode.ReadTimeout,
  KmsErrorCode.Timeout,
  KmsErrorCode.FetchTimeout,
]);

/**
 * How much a failure says about why KMS did not deliver, highest first:
 * 3. KMS throttled the call (a shared quota is exhausted: the reason a fleet waits);
 * 2. KMS (or something in front of it) answered with an error: an HTTP status, a service code, an
 *    unreadable or wrong answer, TLS or credential trouble: anything but "no answer";
 * 1. no answer: refused, reset, timed out (the endpoint is unreachable or hangs);
 * 0. not an error object.
 */
function weight(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 0;
  if (isThrottlingError(error)) return 3;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' && NO_ANSWER_CODES.has(code) ? 1 : 2;
}

/**
 * The failure that best explains why a fetch failed, for the `cause` of the error the caller gets: among
 * the latest failure of each source, the one that says most (throttled, then any answer from KMS, then "no
 * answer"), the latest of those on a tie (the first listed when times are equal or unknown). `undefined`
 * when no source failed (every request was still in flight, or none was sent). Pure.
 *
 * @param failures - the latest failure of each source that failed, in configuration order
 */
export function mostTellingFailure(failures: readonly SourceFailure[]): unknown {
  let best: SourceFailure | undefined;
  for (const failure of failures) {
    if (best === undefined) {
      best = failure;
      continue;
    }
    const byWeight = weight(failure.error) - weight(best.error);
    if (byWeight > 0 || (byWeight === 0 && (failure.atMs ?? -Infinity) > (best.atMs ?? -Infinity))) best = failure;
  }
  return best?.error;
}
