import type { SecretInfo } from './secret-info.js';

/** What to fetch with {@link SecretSource.getSecretValue}. */
export interface GetSecretValueRequest {
  /** Name (or, where the service accepts it, ARN) of the secret. */
  secretName: string;
  /** Version stage; the service default is `ACSCurrent`. */
  versionStage?: string;
  /**
   * Ask for `ExtendedConfig`. Sources send `true` unless this is explicitly `false`, because the
   * rotation-aware schedule needs `SecretSubType`.
   */
  fetchExtendedConfig?: boolean;
}

/** Per-call options of {@link SecretSource.getSecretValue}. */
export interface GetSecretValueOptions {
  /** Aborts the call, including any retry wait, and rejects with `signal.reason` at once. */
  signal?: AbortSignal;
  /**
   * Budget of the whole call in ms, across retries and failover (the cache passes `fetch_timeout`). A source
   * that takes it settles within it: at the latest it rejects with a retryable `KmsError` of code
   * `Kms.FetchTimeout` whose message names every endpoint tried and what happened there. Unset: the source's
   * own limits apply.
   */
  timeoutMs?: number;
  /**
   * Keep the process alive while the call is pending (its retry sleeps and its deadline). Default `true`: a
   * caller awaits the call, and a script awaiting it must not exit with the call pending. Background work
   * that is not awaited by anyone (the cache's scheduled refreshes, which hold their own waiters open) passes
   * `false`. Sockets in use hold the process open either way, as Node's do.
   */
  keepAlive?: boolean;
  /**
   * Whether an answer is known to be unusable, e.g. because it holds an AccessKey that OSS has rejected (the
   * cache passes this while it knows rejected keys). A failover group that gets such an answer asks its other
   * sources before settling for it: a KMS Agent that still serves a revoked key from its cache (until its TTL
   * ends) is gone around when a KMS instance or region is configured as well. The answer is still returned
   * when no other source brings a different one (it is KMS's word). Sources of one endpoint ignore it. Called
   * with answers only; must not throw.
   */
  isKnownRejected?: (info: SecretInfo) => boolean;
}

/**
 * Something that can read a secret's current value from KMS: the KMS instance API (DKMS), the KMS
 * OpenAPI, or a failover group of those. The cache only ever talks to this interface.
 *
 * There is one retry layer: a source of one endpoint sends one request per call and says whether a retry may
 * help (`retryable`); a `FailoverSecretSource` retries, paces and fails over. Whatever a caller awaits keeps
 * the process alive (see {@link GetSecretValueOptions.keepAlive}).
 *
 * Implementations throw `KmsError` (with `retryable`) for service errors and never put the secret value
 * into an error.
 */
export interface SecretSource {
  /** Short human-readable description for logs, e.g. `dkms(kst-xxx.cryptoservice.kms.aliyuncs.com)`. */
  readonly description: string;
  /**
   * Who answers, as an error message names it ("... still serves this AccessKey"): `KMS` when unset, `the KMS
   * Agent`, `the credentials provider`.
   */
  readonly servedBy?: string;
  /** Fetches one secret version. */
  getSecretValue(request: GetSecretValueRequest, options?: GetSecretValueOptions): Promise<SecretInfo>;
  /** Releases sockets and timers. Idempotent. */
  close?(): Promise<void> | void;
}
