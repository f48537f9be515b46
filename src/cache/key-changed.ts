import type { AccessKeyCredential } from '../credentials/access-key-credential.js';

/**
 * Whether `after` is worth retrying a call that OSS rejected, signed with `rejectedAccessKeyId` while the
 * cache held `before`. The one definition of "the key changed":
 *
 * - another AccessKeyId that is not itself known rejected (`rejectedIds`), or
 * - the same AccessKeyId with other key material than `before` (a secret or STS token fixed in KMS: the
 *   rejection may have been about the old material, e.g. `SignatureDoesNotMatch`).
 */
export function keyChanged(
  rejectedAccessKeyId: string | undefined,
  before: AccessKeyCredential | undefined,
  after: AccessKeyCredential,
  rejectedIds: ReadonlySet<string>,
): boolean {
  const signedWith = rejectedAccessKeyId ?? before?.accessKeyId;
  if (signedWith !== undefined && after.accessKeyId !== signedWith) return !rejectedIds.has(after.accessKeyId);
  return before !== undefined && before.accessKeyId === after.accessKeyId && !after.sameKeyAs(before);
}
