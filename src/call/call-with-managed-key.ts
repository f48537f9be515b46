import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider } from '../credentials/credential-provider.js';
import type { KeyAcceptance } from './key-acceptance.js';
import { publishManagedCallRetry, type ManagedCallClient } from './managed-call-events.js';
import { markRetryWithFreshBody } from './retry-with-fresh-body.js';

/**
 * One call of a client (ProxyBucket, a Tea SDK client) made with a managed AccessKey: what to run and how to
 * judge its failure. The adapters describe the call; {@link callWithManagedKey} owns the recovery rules.
 */
export interface ManagedKeyCall<T> {
  /** The cache the key comes from (normally a `SecretCacheClient`). */
  provider: CredentialProvider;
  secretName: string;
  /** The adapter, for the `retry` diagnostics event. */
  client: ManagedCallClient;
  /** Whether the error means the service rejected the key (an `AKExpireHandler`, a Tea code check). */
  isKeyRejected(error: unknown): boolean;
  /**
   * Whether the rejection is only suspected (e.g. a 403 without a code): the cache does not mark the key and
   * asks KMS at the slower pace. Default: never.
   */
  isSuspected?(error: unknown): boolean;
  /** Whether the call can be sent again; `false` marks the error `retryWithFreshBody` instead. */
  canReplay(error: unknown): boolean;
  /** Makes the call with `credential`; attempt 1 happens only after the key changed. */
  run(credential: AccessKeyCredential, attempt: 0 | 1): Promise<T>;
  /**
   * The AccessKeyId that signed the failed request, when the adapter knows better than "the key given to
   * `run`" (a call that makes several requests may sign a later one with a newer key).
   */
  signedWith?(error: unknown): string | undefined;
  /** The adapter's watch for a late-accepted key: armed when the cache has no newer key to offer. */
  acceptance?: KeyAcceptance;
  /** `true` once the adapter is shut down: a failure then is returned as is, without a refresh. */
  isClosed?(): boolean;
}

/**
 * Runs a call with the cache's current key and, when the service rejects that key, forces the cache's
 * coalesced refresh and runs it once more, but only if the key changed and the call can be replayed.
 *
 * The recovery rules live in the cache (`refreshNow`): one KMS fetch per secret in flight, rejected-key
 * memory, pacing without lockout, and each caller's wait bounded by `fetch_timeout`. The warm path (key
 * loaded) reads it synchronously.
 */
export async function callWithManagedKey<T>(call: ManagedKeyCall<T>): Promise<T> {
  const { provider, secretName } = call;
  const credential = provider.peekCredential(secretName) ?? (await provider.getCredential(secretName));
  try {
    return await call.run(credential, 0);
  } catch (error) {
    const fresh = await refreshAfterRejection(call, error, credential);
    if (fresh === undefined) throw error;
    return await call.run(fresh, 1);
  }
}

/** After a failed attempt: the credential to retry with, or `undefined` to rethrow the error. */
async function refreshAfterRejection<T>(
  call: ManagedKeyCall<T>,
  error: unknown,
  credential: AccessKeyCredential,
): Promise<AccessKeyCredential | undefined> {
  if (call.isClosed?.() === true || !judge(call.isKeyRejected, error)) return undefined;
  const staleAccessKeyId = call.signedWith?.(error) ?? credential.accessKeyId;
  const suspected = call.isSuspected !== undefined && judge(call.isSuspected, error);
  const outcome = await call.provider.refreshNow(call.secretName, { staleAccessKeyId, suspected });
  // Until a request with the rejected key succeeds again, successes are reported (the service may accept a
  // new key late). A mere suspicion is not: other calls succeeding say nothing about a forbidden resource.
  if (!outcome.changed) {
    if (!suspected) call.acceptance?.expect(staleAccessKeyId);
    publishManagedCallRetry({ secretName: call.secretName, client: call.client, outcome: 'key-unchanged' });
    return undefined;
  }
  if (!judge(call.canReplay, error)) {
    markRetryWithFreshBody(error);
    publishManagedCallRetry({ secretName: call.secretName, client: call.client, outcome: 'not-replayable' });
    return undefined;
  }
  publishManagedCallRetry({ secretName: call.secretName, client: call.client, outcome: 'retried' });
  return outcome.credential;
}

/** A judge that throws says "no": a faulty custom handler must not turn a service error into another one. */
function judge(predicate: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return predicate(error) === true;
  } catch {
    return false;
  }
}
