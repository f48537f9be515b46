import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/**
 * Thrown by LocalOss's own API (not over the wire) when a test uses it wrongly, e.g. registering a key
 * twice or creating a bucket with an invalid name. `code` is one of `LocalOss.InvalidArgument`,
 * `LocalOss.DuplicateKey`, `LocalOss.UnknownKey`, `LocalOss.InvalidBucketName`, `LocalOss.BucketExists`,
 * `LocalOss.NotRunning`.
 */
export class LocalOssError extends ManagedCredentialsError {}
