import { ManagedCredentialsError, type ErrorCodeOf } from '../errors/managed-credentials-error.js';

/** Stable codes of {@link ManagedClientError}. */
export const ManagedClientErrorCode = {
  /** An option or argument of `createManagedClient` / `ManagedCredentialsProvider` is missing, wrong or not allowed. */
  InvalidOptions: 'ManagedClient.InvalidOptions',
  /** The managed client (or provider) was shut down; it hands out no more credentials and makes no more calls. */
  Shutdown: 'ManagedClient.Shutdown',
  /** `shutdownManagedClient` was given an object that `createManagedClient` did not build. */
  NotManaged: 'ManagedClient.NotManaged',
  /**
   * The installed `@alicloud/credentials` ignores custom providers (older than 2.4.1): it would fall back to the
   * default credential chain instead of the managed key, so no client is built.
   */
  CredentialsPackageUnsupported: 'ManagedClient.CredentialsPackageUnsupported',
} as const;

/** One of the {@link ManagedClientErrorCode} values. */
export type ManagedClientErrorCode = ErrorCodeOf<typeof ManagedClientErrorCode>;

/**
 * An error raised by the Tea SDK adapter itself (`createManagedClient`, `ManagedCredentialsProvider`), not by
 * the Alibaba Cloud service: misuse, or a call after shutdown. `code` is one of {@link ManagedClientErrorCode}.
 * Errors of the service pass through unchanged (apart from redaction and `retryWithFreshBody`).
 */
export class ManagedClientError extends ManagedCredentialsError<ManagedClientErrorCode> {}
