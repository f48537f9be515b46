/** Service error codes that a later attempt may not hit (the official SDKs retry these). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'Rejected.Throttling',
  'ServiceUnavailableTemporary',
  'InternalFailure',
]);

/**
 * Whether a DKMS error answer is worth retrying: throttling, temporary unavailability, internal failure,
 * HTTP 429 and any 5xx. Never signature, authorization, permission or parameter errors
 * (`SignatureNotMatch`, `Unauthorized`, `Forbidden.*`, `InvalidParam*`, ...): those fail the same way again.
 */
export function isRetryableDkmsError(code: string, httpStatus: number | undefined): boolean {
  if (code === 'SignatureNotMatch' || code === 'Unauthorized' || code.startsWith('Forbidden.') || code.startsWith('InvalidParam')) {
    return false;
  }
  if (RETRYABLE_CODES.has(code)) return true;
  return httpStatus !== undefined && (httpStatus === 429 || httpStatus >= 500);
}
