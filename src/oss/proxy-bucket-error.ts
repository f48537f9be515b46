import { ManagedCredentialsError } from '../errors/managed-credentials-error.js';

/**
 * An error raised by {@link ProxyBucket} itself (not by OSS): misuse such as calling a synchronous signer
 * before the first credential arrived, or calling after `shutdown()`.
 *
 * Codes: `ProxyBucket.NotReady`, `ProxyBucket.Shutdown`, `ProxyBucket.InvalidOptions`,
 * `ProxyBucket.EventsUnsupported` (`on()` with a `cacheClient` that has no events).
 */
export class ProxyBucketError extends ManagedCredentialsError {}
