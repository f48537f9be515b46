import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialProvider, RefreshOutcome } from '../credentials/credential-provider.js';
import type { Deadline } from '../runtime/deadline.js';
import type { KeyAcceptance } from './key-acceptance.js';
import { publishManagedCallRetry, type ManagedCallClient } from './managed-call-events.js';
import { annotateRecoveryFailure } from './recovery-failure.js';
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
  /** Aborted when the adapter shuts down: every wait of its calls ends at once with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Makes one attempt of a call with `credential`; attempts after the first happen only after the key changed. */
export type ManagedKeyAttempt<T> = (credential: AccessKeyCredential, attempt: number) => Promise<T>;

/**
 * Runs a call with the cache's current key and, when the service rejects that key, forces the cache's
 * coalesced refresh and runs it again, as long as the key keeps changing (rotations close together): each
 * key at most once per call, and only if the call can be replayed (`canReplay`: a boolean, or a judge of the
 * error; `false` marks the error `retryWithFreshBody` instead).
 *
 * The call has one deadline (`fetch_timeout` from its start, from the provider's `callDeadline`), passed into
 * every wait: the first load, holds, forced refreshes. When recovery fails, the service's error is rethrown
 * with the KMS-side reason named in its message and set as `cause`. The recovery rules live in the cache
 * (`refreshNow`); the warm path (key loaded) reads it synchronously.
 */
export async function callWithManagedKey<T>(
  client: ManagedKeyClient,
  run: ManagedKeyAttempt<T>,
  canReplay: boolean | ((error: unknown) => boolean),
): Promise<T> {
  const { provider, secretName } = client;
  const deadline = provider.callDeadline?.();
  let credential = provider.peekCredential(secretName) ?? (await provider.getCredential(secretName, waitOptions(client, deadline)));
  let tried: Set<string> | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run(credential, attempt);
    } catch (error) {
      // The key this attempt used (unless the adapter knows another one signed the failed request).
      tried ??= new Set();
      const signedWith = client.signedWith?.(error);
      if (signedWith === undefined || signedWith === credential.accessKeyId) tried.add(credential.fingerprint);
      const fresh = await refreshAfterRejection(client, error, credential, canReplay, deadline, tried);
      if (fresh === undefined) throw error;
      credential = fresh;
    }
  }
}

/** After a failed attempt: the credential to retry with, or `undefined` to rethrow the error. */
async function refreshAfterRejection(
  client: ManagedKeyClient,
  error: unknown,
  credential: AccessKeyCredential,
  canReplay: boolean | ((error: unknown) => boolean),
  deadline: Deadline | undefined,
  /** Fingerprints of the keys the call already used: each key at most once per call. */
  tried: ReadonlySet<string>,
): Promise<AccessKeyCredential | undefined> {
  if (client.isClosed?.() === true || !judge(client.isKeyRejected, client, error)) return undefined;
  const staleAccessKeyId = client.signedWith?.(error) ?? credential.accessKeyId;
  const suspected = client.isSuspected !== undefined && judge(client.isSuspected, client, error);
  const event = { secretName: client.secretName, client: client.client };
  /** No retry: the service's error is rethrown, naming why recovery did not help. */
  const noRetry = (why: Parameters<typeof annotateRecoveryFailure>[1]): undefined => {
    annotateRecoveryFailure(error, { ...why, servedBy: client.provider.servedBy });
    publishManagedCallRetry({ ...event, outcome: 'key-unchanged' });
    return undefined;
  };
  /** A wait of the recovery failed: closed or shut down, the caller gets that; else the service's error, with the reason. */
  const waitFailed = (waitError: unknown): undefined => {
    if (client.signal?.aborted === true || client.isClosed?.() === true) throw waitError;
    return noRetry({ reason: waitError });
  };
  let outcome: RefreshOutcome;
  try {
    outcome = await client.provider.refreshNow(client.secretName, { staleAccessKeyId, suspected, ...waitOptions(client, deadline) });
  } catch (refreshError) {
    return waitFailed(refreshError);
  }
  // Until a request with the rejected key succeeds again, successes are reported (the service may accept a
  // new key late). A mere suspicion is not: other calls succeeding say nothing about a forbidden resource.
  if (!outcome.changed || tried.has(outcome.credential.fingerprint)) {
    if (suspected) {
      publishManagedCallRetry({ ...event, outcome: 'key-unchanged' });
      return undefined;
    }
    client.acceptance?.expect(staleAccessKeyId);
    return noRetry({ reason: outcome.error, outcome });
  }
  if (typeof canReplay === 'function' ? !judge(canReplay, undefined, error) : !canReplay) {
    markRetryWithFreshBody(error);
    publishManagedCallRetry({ ...event, outcome: 'not-replayable' });
    return undefined;
  }
  // The call's budget is spent: no further request.
  if (deadline?.expired === true) return noRetry({ note: "a newer key is loaded, but the call's fetch_timeout had passed" });
  // The freshest key right before the attempt: another call may have reported this one rejected meanwhile
  // (then the read waits for KMS's answer, within the deadline).
  let current = client.provider.peekCredential(client.secretName);
  if (current === undefined) {
    try {
      current = await client.provider.getCredential(client.secretName, waitOptions(client, deadline));
    } catch (readError) {
      return waitFailed(readError);
    }
  }
  if (tried.has(current.fingerprint)) return noRetry({ note: 'this call already tried every key the cache holds' });
  publishManagedCallRetry({ ...event, outcome: 'retried' });
  return current;
}

/** The wait options of one call: its deadline and its client's shutdown signal, when there are. */
function waitOptions(client: ManagedKeyClient, deadline: Deadline | undefined): { deadline?: Deadline; signal?: AbortSignal } {
  const signal = client.signal;
  if (deadline === undefined) return signal === undefined ? {} : { signal };
  return signal === undefined ? { deadline } : { deadline, signal };
}

/** A judge that throws says "no": a faulty custom handler must not turn a service error into another one. */
function judge(predicate: (error: unknown) => boolean, self: unknown, error: unknown): boolean {
  try {
    return predicate.call(self, error) === true;
  } catch {
    return false;
  }
}
