/**
 * The simulation's one adapter to the library: every use of the library's API (the cache, the call core, the
 * failover group, the OSS judges) is in this file, so a change of that API is one edit here. The rest of
 * test/sim only knows the small {@link SimStack} interface.
 */
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { callWithManagedKey, type ManagedKeyClient } from '../../src/call/call-with-managed-key.js';
import { KeyAcceptance } from '../../src/call/key-acceptance.js';
import type { CredentialProvider } from '../../src/credentials/credential-provider.js';
import { FailoverSecretSource } from '../../src/kms/failover/failover-secret-source.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import { isCodeless403 } from '../../src/oss/is-codeless-403.js';
import { OssAKExpireHandler } from '../../src/oss/oss-ak-expire-handler.js';
import type { Clock } from '../../src/runtime/clock.js';
import type { SimSigningKey } from './scripted-oss.js';
import type { SimTrace } from './sim-trace.js';

/** What the stack needs to be built. */
export interface SimStackOptions {
  secretName: string;
  clock: Clock;
  /** Randomness of the cache (jitter). */
  random: () => number;
  /** Randomness of the failover group (backoff, throttle pacing). */
  failoverRandom: () => number;
  /** The scripted KMS endpoints, in preference order. */
  sources: SecretSource[];
  /** `fetch_timeout`: the cache's `fetchTimeoutMs` and the failover group's `deadlineMs`. */
  fetchTimeoutMs: number;
  /** Refresh schedule knobs; `undefined`: the library's defaults. */
  schedule: { rotationIntervalMs: number; delayIntervalMs: number; jitterMaxMs: number } | undefined;
  /** Whether closing the cache closes the failover group. */
  ownsSource: boolean;
  trace: SimTrace;
  /** Called when a cache fetch starts (e.g. to close the cache during a refresh). */
  onFetchStart?: () => void;
}

/** The recovery pacing the invariants are judged against (the library's defaults; the harness sets none). */
export const SIM_RECOVERY = Object.freeze({ minIntervalMs: 1_000, capMs: 30_000 });

/** One attempt of a call: sends the request signed with `key`; rejects with the OSS error. */
export type SimAttempt = (key: SimSigningKey) => Promise<void>;

/** The real cache, call core and failover group, as the simulation drives them. */
export interface SimStack {
  /** Runs one call through the call core, `replayable` telling whether its body may be sent again. */
  call(attempt: SimAttempt, replayable: boolean): Promise<void>;
  /**
   * The cache's state, whether the key it holds is one it remembers as rejected, and how far its next fetch
   * is, from `getStatus`; `undefined` when nothing is due.
   */
  nextAttempt(): { state: string; heldKeyRejected: boolean; inMs: number } | undefined;
  /** `close()` of the cache (and of the failover group if it owns it). */
  close(): Promise<void>;
}

/** Builds the stack: `SecretCacheClient` over a recording pass-through over `FailoverSecretSource`. */
export function buildSimStack(options: SimStackOptions): SimStack {
  const { secretName, clock, trace, fetchTimeoutMs } = options;
  const failover = new FailoverSecretSource({
    sources: options.sources,
    deadlineMs: fetchTimeoutMs,
    clock,
    random: options.failoverRandom,
  });
  const source = recordingSource(failover, trace, options.onFetchStart);
  const cache = new SecretCacheClient({
    source,
    ownsSource: options.ownsSource,
    clock,
    random: options.random,
    fetchTimeoutMs,
    ...(options.schedule ?? {}),
  });
  cache.on('reject', (event) => trace.rejected(event.accessKeyId, event.suspected, event.held));
  cache.on('error', (event) => {
    trace.fetchTrigger(event.trigger);
    trace.note(() => `cache error event (${event.trigger}): ${codeOf(event.error)}`);
  });
  cache.on('refresh', (event) => {
    trace.fetchTrigger(event.trigger);
    trace.note(() => `cache refresh event (${event.trigger}): ${event.accessKeyId ?? '-'}, next ${event.basis}`);
  });

  // KeyAcceptance reports to the cache through this pass-through, so each report is in the trace.
  const reporting: CredentialProvider = {
    getCredential: (name, o) => cache.getCredential(name, o),
    peekCredential: (name) => cache.peekCredential(name),
    refreshNow: (name, o) => cache.refreshNow(name, o),
    reportKeyAccepted: (name, accessKeyId) => {
      trace.accepted(accessKeyId);
      cache.reportKeyAccepted(name, accessKeyId);
    },
  };
  const handler = new OssAKExpireHandler();
  const signedWith = new WeakMap<object, string>();
  // Built like ProxyBucket's: the AK-expire handler's judgement, code-less 403 as a suspicion, signedWith, acceptance.
  const client: ManagedKeyClient = {
    provider: cache,
    secretName,
    client: 'ali-oss',
    isKeyRejected: (error) => handler.judgeAKExpire(error),
    isSuspected: isCodeless403,
    signedWith: (error) => (typeof error === 'object' && error !== null ? signedWith.get(error) : undefined),
    acceptance: new KeyAcceptance(reporting, secretName),
  };

  return {
    call(attempt, replayable) {
      return callWithManagedKey(
        client,
        async (credential) => {
          const accessKeyId = credential.accessKeyId;
          try {
            await attempt({ accessKeyId, securityToken: credential.securityToken });
          } catch (error) {
            if (typeof error === 'object' && error !== null) signedWith.set(error, accessKeyId);
            throw error;
          }
          client.acceptance?.succeeded(accessKeyId);
        },
        replayable,
      );
    },
    nextAttempt() {
      const status = cache.getStatus(secretName);
      if (status?.nextRefreshAtMs === undefined) return undefined;
      const heldKeyRejected = status.accessKeyId !== undefined && status.rejectedAccessKeyIds.includes(status.accessKeyId);
      return { state: status.state, heldKeyRejected, inMs: status.nextRefreshAtMs - clock.now() };
    },
    close: () => cache.close(),
  };
}

/** The failover group, recording each fetch of the cache (start, end, outcome) on the way. */
function recordingSource(inner: FailoverSecretSource, trace: SimTrace, onFetchStart: (() => void) | undefined): SecretSource {
  return {
    description: inner.description,
    getSecretValue(request: GetSecretValueRequest, options?: GetSecretValueOptions) {
      const record = trace.fetchStarted();
      const answer = inner.getSecretValue(request, options);
      answer.then(
        (info) => trace.fetchEnded(record, 'ok', accessKeyIdOf(info.secretData)),
        (error: unknown) => trace.fetchEnded(record, codeOf(error), undefined),
      );
      onFetchStart?.();
      return answer;
    },
    close: () => inner.close(),
  };
}

function accessKeyIdOf(secretData: string): string | undefined {
  try {
    // Only a complete AccessKey counts as a key KMS delivered (not a SecretData missing its secret).
    const data = JSON.parse(secretData) as { AccessKeyId?: unknown; AccessKeySecret?: unknown };
    return typeof data.AccessKeyId === 'string' && typeof data.AccessKeySecret === 'string' ? data.AccessKeyId : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): string {
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; name?: unknown };
  return typeof code === 'string' ? code : typeof name === 'string' ? name : String(error);
}
