import { SecretCacheError, SecretCacheErrorCode } from './secret-cache-error.js';
import type { SecretEntry } from './secret-entry.js';

/** `SecretCache.KeyRejected`: the held key is known rejected and no KMS answer within the deadline replaced it. */
export function keyRejectedError(entry: SecretEntry, cause: unknown): SecretCacheError {
  const accessKeyId = entry.credential?.accessKeyId;
  return new SecretCacheError(
    SecretCacheErrorCode.KeyRejected,
    `secret ${entry.secretName}: AccessKey ${accessKeyId} was rejected and KMS has not answered with a newer key ` +
      `within the deadline${describeReason(cause)}; the cache keeps asking at the recovery pace`,
    cause === undefined ? { secretName: entry.secretName } : { secretName: entry.secretName, cause },
  );
}

/** `SecretCache.Expired`: the held credential is past its `ExpireTimestamp` and nothing newer came in time. */
export function expiredError(entry: SecretEntry, cause: unknown): SecretCacheError {
  const expiresAtMs = entry.credential?.expiresAtMs;
  const when = expiresAtMs === undefined ? 'its expiry' : new Date(expiresAtMs).toISOString();
  const reason = cause ?? entry.lastError;
  return new SecretCacheError(
    SecretCacheErrorCode.Expired,
    `secret ${entry.secretName}: the credential expired at ${when} and KMS has not provided a newer one yet` +
      `${describeReason(reason)}; the cache keeps asking at the recovery pace`,
    reason === undefined ? { secretName: entry.secretName } : { secretName: entry.secretName, cause: reason },
  );
}

/** `SecretCache.Closed` for a read of `secretName` on client `clientId`. */
export function closedError(clientId: string, secretName: string, cause?: unknown): SecretCacheError {
  return new SecretCacheError(
    SecretCacheErrorCode.Closed,
    `SecretCacheClient ${clientId} is closed; cannot serve secret ${secretName}`,
    cause === undefined ? { secretName } : { secretName, cause },
  );
}

/** ` (last KMS answer: Rejected.Throttling: ...)` for an error, or nothing. Our errors' messages carry no secret. */
function describeReason(cause: unknown): string {
  if (cause === undefined) return '';
  const { code, message } = (typeof cause === 'object' && cause !== null ? cause : {}) as { code?: unknown; message?: unknown };
  const parts = [typeof code === 'string' ? code : undefined, typeof message === 'string' ? message : String(cause)].filter(Boolean);
  return ` (last KMS answer: ${parts.join(': ')})`;
}
