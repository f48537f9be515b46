/**
 * Decides whether an error thrown by an OSS call means "the AccessKey that signed this call is no longer
 * valid", so the bucket should force a credential refresh and (if the key changed) retry once.
 *
 * Implementations must be synchronous and cheap, and must not throw.
 */
export interface AKExpireHandler {
  /** `true` when `error` means the AccessKey was rejected as expired, revoked or disabled. */
  judgeAKExpire(error: unknown): boolean;
}
