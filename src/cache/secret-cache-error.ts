import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link SecretCacheError}. */
export const SecretCacheErrorCode = {
  /** The client was closed; it serves nothing more. */
  Closed: 'SecretCache.Closed',
  /** An option of `new SecretCacheClient(...)` has a wrong type or is out of range. */
  InvalidOption: 'SecretCache.InvalidOption',
  /** A secret name is not a non-empty string. */
  InvalidSecretName: 'SecretCache.InvalidSecretName',
  /** Refreshing has failed for longer than `maxStalenessMs`; the last good value is no longer served. */
  TooStale: 'SecretCache.TooStale',
  /**
   * The credential held is past its `ExpireTimestamp` and KMS has not provided a newer one yet; the cache asks
   * again at the recovery pace. Retryable.
   */
  Expired: 'SecretCache.Expired',
  /**
   * The AccessKey held was rejected by the service and KMS gave no answer within the call's deadline that
   * could replace it (its reason is the `cause`: throttled, unreachable, SecretData missing a field...); the
   * cache asks again at the recovery pace. Retryable.
   */
  KeyRejected: 'SecretCache.KeyRejected',
} as const;

/** One of the {@link SecretCacheErrorCode} values. */
export type SecretCacheErrorCode = ErrorCodeOf<typeof SecretCacheErrorCode>;

/**
 * A failure of the cache itself (closed, misconfigured, value too stale), as opposed to a KMS failure
 * (`KmsError`) or unusable secret data (`SecretDataError`), which reach callers unchanged.
 */
export class SecretCacheError extends ManagedCredentialsError<SecretCacheErrorCode> {
  /** The secret concerned, if any. */
  readonly secretName: string | undefined;
  /** The option at fault, for `SecretCache.InvalidOption` (e.g. `backoff.capMs`). */
  readonly option: string | undefined;

  /**
   * @param code - one of {@link SecretCacheErrorCode}
   * @param message - names the secret or option, never a secret value
   * @param details - secret name, option name and `cause`
   */
  constructor(
    code: SecretCacheErrorCode,
    message: string,
    details: { secretName?: string; option?: string; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.secretName = details.secretName;
    this.option = details.option;
  }
}
