/**
 * Calls that arrive while a rejected key is being replaced: extra OSS requests across a revoke, with the cache's
 * hold (calls wait for the running refresh) and without it (the first release: every call arriving during the KMS
 * round trip is signed with the revoked key, rejected and retried). Real stack over sockets, real time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessKeyCredential } from '../src/credentials/access-key-credential.js';
import type { CredentialProvider } from '../src/credentials/credential-provider.js';
import { ProxyBucket } from '../src/oss/index.js';
import { BenchStack, BUCKET_NAME, SECRET_NAME } from './lib/stack.js';

/** One run's figures. */
export interface HoldRun {
  mode: 'hold' | 'no hold';
  /** Calls started during the 1 s run (the rate the loop reached). */
  calls: number;
  /** OSS requests answered InvalidAccessKeyId (each one is an extra request: the call was retried). */
  rejectedRequests: number;
  /** Calls in flight (sent, not answered) at the moment of the revoke. */
  inFlightAtRevoke: number;
  callerErrors: number;
}

/** Figures of the hold benchmark. */
export interface HoldResult {
  callsPerSecond: number;
  kmsLatencyMs: number;
  runs: HoldRun[];
}

/** The first release's behaviour: always sign with the last key seen, even while it is known rejected. */
function withoutHold(cache: CredentialProvider): CredentialProvider {
  let last: AccessKeyCredential | undefined;
  return {
    getCredential: (name, options) => cache.getCredential(name, options).then((c) => (last = c)),
    peekCredential: (name) => {
      const held = cache.peekCredential(name);
      if (held !== undefined) last = held;
      return held ?? last;
    },
    refreshNow: (name, options) => cache.refreshNow(name, options),
  };
}

async function runOnce(mode: HoldRun['mode'], callsPerSecond: number, kmsLatencyMs: number): Promise<HoldRun> {
  const stack = await BenchStack.start();
  const provider = mode === 'hold' ? stack.cache : withoutHold(stack.cache);
  const bucket = new ProxyBucket({ secretName: SECRET_NAME, cacheClient: provider, ...stack.oss.clientOptions(BUCKET_NAME) });
  try {
    await bucket.put('warm.txt', Buffer.from('warm'));
    const batch = 10;
    const everyMs = (1000 * batch) / callsPerSecond;
    const durationMs = 1000;
    const revokeAtMs = 400;
    let inFlight = 0;
    let inFlightAtRevoke = 0;
    let callerErrors = 0;
    let revoked = false;
    const calls: Promise<unknown>[] = [];
    const requestsBefore = stack.oss.requests.entries().length;
    const t0 = Date.now();
    for (let n = 0; Date.now() - t0 < durationMs; n++) {
      if (!revoked && Date.now() - t0 >= revokeAtMs) {
        revoked = true;
        inFlightAtRevoke = inFlight;
        stack.dkms.injectFault({ kind: 'latency', delayMs: kmsLatencyMs });
        stack.rotate(true);
      }
      for (let i = 0; i < batch; i++) {
        inFlight += 1;
        calls.push(
          bucket
            .head('warm.txt')
            .catch(() => {
              callerErrors += 1;
            })
            .finally(() => (inFlight -= 1)),
        );
      }
      await sleep(everyMs);
    }
    await Promise.all(calls);
    const sent = stack.oss.requests.entries().slice(requestsBefore);
    return {
      mode,
      calls: calls.length,
      rejectedRequests: sent.filter((r) => r.errorCode === 'InvalidAccessKeyId').length,
      inFlightAtRevoke,
      callerErrors,
    };
  } finally {
    await bucket.shutdown();
    await stack.close();
  }
}

/** Both modes side by side (about 3 s). */
export async function runHoldDoomedRequests(callsPerSecond = 2000, kmsLatencyMs = 200): Promise<HoldResult> {
  const runs = [await runOnce('no hold', callsPerSecond, kmsLatencyMs), await runOnce('hold', callsPerSecond, kmsLatencyMs)];
  return { callsPerSecond, kmsLatencyMs, runs };
}
