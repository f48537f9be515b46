/** Exit code: everything checked is fine. */
export const EXIT_OK = 0;
/** Exit code: a check failed (a KMS source, OSS access) or the demo's workload saw errors. */
export const EXIT_CHECK_FAILED = 1;
/** Exit code: wrong command line, or a configuration that cannot be loaded or used. */
export const EXIT_USAGE = 2;
