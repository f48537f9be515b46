import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link ProxyBucketError}. */
export const ProxyBucketErrorCode = {
  /** A synchronous signer (`signatureUrl`...) was called before the first credential was loaded. */
  NotReady: 'ProxyBucket.NotReady',
  /** The bucket was shut down; it makes no more calls. */
  Shutdown: 'ProxyBucket.Shutdown',
  /** An option of `new ProxyBucket(...)` (or an argument of `on`) is missing, of the wrong type, or not allowed. */
  InvalidOptions: 'ProxyBucket.InvalidOptions',
  /** `on()` was called but the `cacheClient` given has no events (no `on`/`off`). */
  EventsUnsupported: 'ProxyBucket.EventsUnsupported',
} as const;

/** One of the {@link ProxyBucketErrorCode} values. */
export type ProxyBucketErrorCode = ErrorCodeOf<typeof ProxyBucketErrorCode>;

/**
 * An error raised by {@link ProxyBucket} itself (not by OSS): misuse such as calling a synchronous signer
 * before the first credential arrived, or calling after `shutdown()`. `code` is one of
 * {@link ProxyBucketErrorCode}.
 */
export class ProxyBucketError extends ManagedCredentialsError<ProxyBucketErrorCode> {}
