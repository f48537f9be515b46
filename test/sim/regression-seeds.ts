import type { InvariantName } from './violation.js';

/** One seed that broke an invariant on the code it was found on, and why. */
export interface RegressionCase {
  seed: number;
  invariant: InvariantName;
  /** What the run shows, and the issue-18 finding it reproduces when there is one. */
  cause: string;
}

/**
 * Seeds that broke an invariant when the suite was first run (library at main 739baa8), the smallest run
 * of each cause. The CI test runs them on top of its seed range; replay one with
 * `npm run sim -- --seed <n> --verbose`. A seed names a plan drawn by `drawPlan`, so a change of the plan
 * generator changes what a seed means: re-find the causes then (the classification is in each violation's
 * detail) rather than keeping stale numbers.
 */
export const REGRESSION_CASES: readonly RegressionCase[] = Object.freeze([
  { seed: 673, invariant: 'deadline', cause: 'finding 1: held in getCredential by a running fetch, then refreshNow starts its own fetch_timeout' },
  { seed: 524, invariant: 'deadline', cause: 'finding 1: held, sent, rejected, then a whole fetch_timeout more in refreshNow' },
  { seed: 455, invariant: 'deadline', cause: "finding 1: refreshNow's deadline counts from its own start, the retry goes out after the call's deadline" },
  { seed: 1212, invariant: 'rejected-key-sent', cause: 'finding 2: a held caller joins a fetch begun before the rejection and is sent with the rejected key' },
  { seed: 519, invariant: 'rejected-key-sent', cause: 'a held caller is released with the rejected key when its fetch fails or brings the same key' },
  { seed: 595, invariant: 'rejected-key-sent', cause: 'no fetch running: peek/getCredential hand out the key known rejected (KMS confirmed it or failed)' },
  { seed: 396, invariant: 'rejected-key-sent', cause: 'no fetch running: the key known rejected is handed out to new calls' },
  {
    seed: 12467,
    invariant: 'rejected-key-sent',
    cause: "a retry goes out with the key refreshNow answered 'cached', although another call reported that key rejected in between",
  },
  { seed: 1133, invariant: 'kms-pace', cause: 'finding 4: repeated reports re-mark the key, so a follow-up fetch starts 0 ms after the answer' },
  { seed: 284, invariant: 'kms-pace', cause: 'a code-less 403 (suspicion) starts a fetch less than minIntervalMs after the last answer' },
  { seed: 857, invariant: 'kms-pace', cause: 'a suspicion right after a load starts a second fetch within the minimum interval' },
  { seed: 328, invariant: 'kms-pace', cause: 'background retry after a failed non-recovery fetch drawn from 0 ms (full jitter without the minimum interval)' },
  { seed: 1588, invariant: 'kms-pace', cause: 'background retry of a failed refresh sooner than minIntervalMs' },
  { seed: 996, invariant: 'kms-pace', cause: 'an STS credential at or past expiry on arrival is re-asked 0 ms after the answer' },
  { seed: 4015, invariant: 'kms-pace', cause: 'reportKeyAccepted resets recovery, and a caller still holding fetches 816 ms after the last answer' },
  { seed: 13512, invariant: 'kms-pace', cause: 'reportKeyAccepted re-arms an overdue regular schedule 9 ms after a failed fetch' },
  { seed: 1265, invariant: 'recovery', cause: 'finding 7: non-retryable first load (secret created late) retried only after up to 600 s' },
  { seed: 96, invariant: 'recovery', cause: 'finding 7: a RamUserAccessKey first load answered with garbage: non-retryable, next try up to 600 s away' },
  {
    seed: 1348,
    invariant: 'recovery',
    cause: 'an STS (Generic) secret first answered without AccessKeySecret is cached for the 1 h TTL; getCredential fails long after KMS is fixed',
  },
  { seed: 1512, invariant: 'recovery', cause: 'same with garbage SecretData as the first answer of an STS (Generic) secret' },
  { seed: 1238, invariant: 'recovery', cause: "finding 7: getStatus shows state failed with the next attempt more than 31 s away" },
  { seed: 158, invariant: 'timers-after-close', cause: 'callers holding for a paced attempt keep their timers after close() and settle only when the hold ends' },
  { seed: 1029, invariant: 'timers-after-close', cause: 'same: a hold is not released by close()' },
  { seed: 1370, invariant: 'retry-while-key-changes', cause: 'finding 6: rotations 1 s apart, the retry key is revoked too and the call retries only once' },
  { seed: 1720, invariant: 'retry-while-key-changes', cause: 'finding 6: same, with a newer key fetched within the deadline' },
  // Found on the rewritten core (this round), fixed, kept:
  { seed: 29, invariant: 'rejected-key-sent', cause: 'reports during an episode answered by a fetch sent between them (the harness counted the latest report; finding 4 says the first)' },
  { seed: 1029, invariant: 'kms-pace', cause: 'a code-less 403 (a suspicion) asked KMS at once right after an answer' },
  { seed: 24, invariant: 'kms-pace', cause: 'the retry after a failed refresh (no rejected key) came sooner than the minimum interval' },
  { seed: 996, invariant: 'kms-pace', cause: 'a read of an already expired STS token asked KMS at once after the answer that brought it' },
  { seed: 1348, invariant: 'recovery', cause: 'a first answer without AccessKeySecret for a Generic secret was cached as a non-AccessKey value for the whole TTL' },
  { seed: 168, invariant: 'deadline', cause: "a retry chain sent its last attempt after the call's deadline" },
  { seed: 735, invariant: 'rejected-key-sent', cause: "the retry used refreshNow's key although another call had reported it rejected before the send" },
  { seed: 1186, invariant: 'retry-while-key-changes', cause: 'a key KMS confirmed after a rejection stayed marked, so a call that had tried others did not try it' },
  { seed: 4352, invariant: 'retry-while-key-changes', cause: 'harness: the ask a rejection joined is the fetch running at it, not one started after the call settled' },
  { seed: 11892, invariant: 'recovery', cause: 'an STS token KMS reissues only shortly before expiry: the backoff in its expiry window overshot the expiry (gaps now at most half the time left)' },
  { seed: 28518, invariant: 'retry-while-key-changes', cause: 'harness: a fetch started by another event after the call gave up (paced) is no evidence against it' },
]);

/** The seeds of {@link REGRESSION_CASES}. */
export const REGRESSION_SEEDS: readonly number[] = Object.freeze(REGRESSION_CASES.map((c) => c.seed));
