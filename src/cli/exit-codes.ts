/** Exit code: everything checked is fine. */
export const EXIT_OK = 0;
/**
 * Exit code: a check failed (a KMS source, OSS access), the demo's workload saw errors, or `credential-process`
 * could not fetch the secret as an AccessKey.
 */
export const EXIT_CHECK_FAILED = 1;
/** Exit code: wrong command line, or a configuration that cannot be loaded or used. */
export const EXIT_USAGE = 2;
/**
 * Exit code of `doctor`: the application works, through failover, but not every configured KMS source does
 * (a dead instance, a region that refuses the key): redundancy is lost, nothing fails yet.
 */
export const EXIT_DEGRADED = 3;
