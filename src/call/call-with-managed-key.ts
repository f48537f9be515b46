import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider } from '../credentials/credential-provider.js';
import type { KeyAcceptance } from './key-acceptance.js';
import { publishManagedCallRetry, type ManagedCallClient } from './managed-call-events.js';
import { markRetryWithFreshBody } from './retry-with-fresh-body.js';

/**
 * A client (a ProxyBucket, a Tea SDK client) that makes calls with a managed AccessKey: where the key comes
 * from and how to judge a failure. Built once per client instance, so a call allocates nothing for it.
 */
export interface ManagedKeyClient {
  /** The cache the key comes from (normally a `SecretCacheClient`). */
  readonly provider: CredentialProvider;
  readonly secretName: string;
  /** The adapter, for the `retry` diagnostics event. */
  readonly client: ManagedCallClient;
  /** Whether the error means the service rejected the key (an `AKExpireHandler`, a Tea code check). */
  isKeyRejected(error: unknown): boolean;
  /**
   * Whether the rejection is only suspected (e.g. a 403 without a code): the cache does not mark the key and
   * asks KMS at the slower pace. Default: never.
   */
  isSuspected?(error: unknown): boolean;
  /**
   * The AccessKeyId that signed the failed request, when the adapter knows better than "the key given to
   * `run`" (a call that makes several requests may sign a later one with a newer key).
   */
  signedWith?(error: unknown): string | undefined;
  /** The adapter's watch for a late-accepted key: armed when the cache has no newer key to offer. */
  readonly acceptance?: KeyAcceptance;
  /** `true` once the adapter is shut down: a failure then is returned as is, without a refresh. */
  isClosed?(): boolean;
}

/** Makes one attempt of a call with `credential`; attempt 1 happens only after the key changed. */
export type ManagedKeyAttempt<T> = (credential: AccessKeyCredential, attempt: 0 | 1) => Promise<T>;

/**
 * Runs a call with the cache's current key and, when the service rejects that key, forces the cache's
 * coalesced refresh and runs it once more, but only if the key changed and the call can be replayed
 * (`canReplay`: a boolean, or a judge of the error; `false` marks the error `retryWithFreshBody` instead).
 *
 * The recovery rules live in the cache (`refreshNow`): one KMS fetch per secret in flight, rejected-key
 * memory, pacing without lockout, and each caller's wait bounded by `fetch_timeout`. The warm path (key
 * loaded) reads it synchronously.
 */
export async function callWithManagedKey<T>(
  client: ManagedKeyClient,
  run: ManagedKeyAttempt<T>,
  canReplay: boolean | ((error: unknown) => boolean),
): Promise<T> {
  const { provider, secretName } = client;
  const credential = provider.peekCredential(secretName) ?? (await provider.getCredential(secretName));
  try {
    return await run(credential, 0);
  } catch (error) {
    const fresh = await refreshAfterRejection(client, error, credential, canReplay);
    if (fresh === undefined) throw error;
    return await run(fresh, 1);
  }
}

/** After a failed attempt: the credential to retry with, or `undefined` to rethrow the error. */
async function refreshAfterRejection(
  client: ManagedKeyClient,
  error: unknown,
  credential: AccessKeyCredential,
  canReplay: boolean | ((error: unknown) => boolean),
): Promise<AccessKeyCredential | undefined> {
  if (client.isClosed?.() === true || !judge(client.isKeyRejected, client, error)) return undefined;
  const staleAccessKeyId = client.signedWith?.(error) ?? credential.accessKeyId;
  const suspected = client.isSuspected !== undefined && judge(client.isSuspected, client, error);
  const outcome = await client.provider.refreshNow(client.secretName, { staleAccessKeyId, suspected });
  const event = { secretName: client.secretName, client: client.client };
  // Until a request with the rejected key succeeds again, successes are reported (the service may accept a
  // new key late). A mere suspicion is not: other calls succeeding say nothing about a forbidden resource.
  if (!outcome.changed) {
    if (!suspected) client.acceptance?.expect(staleAccessKeyId);
    publishManagedCallRetry({ ...event, outcome: 'key-unchanged' });
    return undefined;
  }
  if (typeof canReplay === 'function' ? !judge(canReplay, undefined, error) : !canReplay) {
    markRetryWithFreshBody(error);
    publishManagedCallRetry({ ...event, outcome: 'not-replayable' });
    return undefined;
  }
  publishManagedCallRetry({ ...event, outcome: 'retried' });
  return outcome.credential;
}

/** A judge that throws says "no": a faulty custom handler must not turn a service error into another one. */
function judge(predicate: (error: unknown) => boolean, self: unknown, error: unknown): boolean {
  try {
    return predicate.call(self, error) === true;
  } catch {
    return false;
  }
}
