import type { RefreshOutcome } from '../credentials/credential-provider.js';

/** Extra fields put on a service error that is rethrown because recovering the rejected key failed. */
export interface RecoveryFailureAnnotation {
  /**
   * Why no newer key could be used: the KMS-side error (throttled, unreachable, SecretData missing a field...),
   * or `undefined` when KMS answered normally but still serves the rejected key. Also the error's `cause`
   * when it had none.
   */
  recoveryError?: unknown;
}

/**
 * Names in a rejected call's error why recovery did not give it a newer key, so a caller (and its logs) see
 * the KMS-side reason instead of only the service's `InvalidAccessKeyId`: the reason is appended to the
 * message and set as `recoveryError` (and `cause`, unless the error has one). The reason's text is our own
 * error's message or code, which never holds a secret. Without a reason: `note` if given, else what the
 * refresh `outcome` says (`servedBy`, default KMS, still serves the key, and when it is asked again).
 */
export function annotateRecoveryFailure(
  error: unknown,
  why: { reason?: unknown; outcome?: RefreshOutcome; note?: string; servedBy?: string | undefined },
): void {
  const { reason, outcome } = why;
  const servedBy = why.servedBy ?? 'KMS';
  if (typeof error !== 'object' || error === null) return;
  const target = error as RecoveryFailureAnnotation & { cause?: unknown };
  let note: string;
  if (reason !== undefined) {
    target.recoveryError = reason;
    if (target.cause === undefined) {
      Object.defineProperty(target, 'cause', { value: reason, writable: true, configurable: true, enumerable: false });
    }
    note = `recovering the AccessKey failed: ${describe(reason)}`;
  } else if (why.note !== undefined) {
    note = why.note;
  } else if (outcome?.via === 'paced') {
    const at = outcome.retryAtMs === undefined ? 'later' : `at ${new Date(outcome.retryAtMs).toISOString()}`;
    note = `${servedBy} still serves this AccessKey; the cache asks again ${at}`;
  } else {
    note = `${servedBy} still serves this AccessKey`;
  }
  if (error instanceof Error) error.message += ` (${note})`;
}

function describe(reason: unknown): string {
  const { name, code, message } = (typeof reason === 'object' && reason !== null ? reason : {}) as Record<string, unknown>;
  const label = typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
  return typeof message === 'string' ? `${label}: ${message}` : label;
}
