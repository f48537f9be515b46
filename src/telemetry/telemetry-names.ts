/**
 * Names of the instruments the OpenTelemetry bridge creates, in OpenTelemetry's naming style (a namespace,
 * dot-separated, lower snake case). Durations are milliseconds, like every duration of this package.
 */
export const TELEMETRY_METRICS = Object.freeze({
  /** Counter: fetches from KMS, by secret, trigger and outcome. */
  refreshes: 'managed_credentials.refreshes',
  /** Histogram (ms): time spent in the source per fetch, successes and failures. */
  fetchDuration: 'managed_credentials.kms.fetch.duration',
  /** Counter: fetches started by a rejected key (`forced`) or the re-ask while it stays rejected (`recovery`). */
  forcedRefreshes: 'managed_credentials.forced_refreshes',
  /** Counter: AccessKeys reported rejected by OSS (`reject` events). */
  keyRejections: 'managed_credentials.key.rejections',
  /** Counter: AccessKeyId changes seen by a refresh (`rotate` events). */
  keyRotations: 'managed_credentials.key.rotations',
  /** Gauge (ms): how long the cache has held its current key (since the refresh that brought it). */
  keyAge: 'managed_credentials.key.age',
  /** Gauge (ms): how long a stale value has been served (since refreshing started failing); 0 when fresh. */
  staleness: 'managed_credentials.staleness',
  /** Counter: calls that failed on a rejected key, by what happened next (`retried`, ...). */
  callRetries: 'managed_credentials.call.retries',
});

/** Attribute keys the bridge sets. None ever holds a secret value or an AccessKeyId. */
export const TELEMETRY_ATTRIBUTES = Object.freeze({
  /** The secret's name in KMS. */
  secretName: 'managed_credentials.secret.name',
  /** What started a fetch: `load`, `scheduled`, `retry`, `forced`, `recovery`, `expiry`. */
  trigger: 'managed_credentials.trigger',
  /** `success` / `failure` of a fetch; `retried` / `key-unchanged` / `not-replayable` of a call. */
  outcome: 'managed_credentials.outcome',
  /** The error code of a failure (OpenTelemetry's general attribute). */
  errorType: 'error.type',
  /** Whether a rejection is only suspected (a 403 without an error code). */
  suspected: 'managed_credentials.rejection.suspected',
  /** Whether the rejected key is the one the cache held when it was reported. */
  held: 'managed_credentials.rejection.held',
  /** The adapter that made a call: `ali-oss` or `tea`. */
  callClient: 'managed_credentials.call.client',
  /** The `SecretCacheClient` id (`secret-cache-N`), on the per-secret gauges. */
  cacheClient: 'managed_credentials.cache_client',
  /** The source (its description) that failed a fetch, when the error names it. */
  source: 'managed_credentials.source',
  /** KMS version id of the value fetched. */
  versionId: 'managed_credentials.secret.version_id',
  /** Whether a fetch brought a different key (or value) than the one held. */
  changed: 'managed_credentials.key.changed',
  /** Fingerprint (sha256 prefix) of the key now held: tells keys apart without revealing either part. */
  fingerprint: 'managed_credentials.key.fingerprint',
  /** On a failed fetch's span: the `Limit` of KMS's rate-limit hint (requests per window), when KMS sent one. */
  rateLimitLimit: 'managed_credentials.kms.ratelimit.limit',
  /** On a failed fetch's span: the `Remain` of KMS's rate-limit hint (requests left in the window). */
  rateLimitRemain: 'managed_credentials.kms.ratelimit.remain',
  /** On a failed fetch's span: the wait KMS hinted (the longer of `x-acs-retry-after` and `TimeLeft`), ms. */
  retryAfter: 'managed_credentials.kms.retry_after_ms',
});

/** Name of the span recorded per fetch from KMS. */
export const FETCH_SPAN_NAME = 'kms GetSecretValue';

/** Default instrumentation scope name of the meter and the tracer. */
export const DEFAULT_METER_NAME = 'ali-oss-managed-credentials';
