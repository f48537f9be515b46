import { BenchStack } from './lib/stack.js';

/** Options of {@link runRotationStorm}. */
export interface RotationStormOptions {
  /** Calls fired at once after the revoke. */
  calls: number;
}

/** Result of {@link runRotationStorm}. */
export interface RotationStormResult {
  calls: number;
  /** Calls that rejected (target 0). */
  errors: number;
  /** Error codes of those calls, counted. */
  errorCodes: Record<string, number>;
  /** GetSecretValue requests LocalDkms received during the storm (target 1). */
  kmsCalls: number;
  /** OSS requests during the storm, rejected ones (`InvalidAccessKeyId`) and the rest. */
  ossRequests: number;
  ossRejected: number;
  /** OSS requests beyond one per call (rejected attempts plus their retries). */
  extraOssRequests: number;
  /** Whether every call after the storm is signed with the new key (checked with one more call). */
  newKeyInUse: boolean;
}

const BODY = Buffer.from('rotation storm payload, 40 bytes long..!');

/**
 * 1,000 concurrent calls across a revoke: with a warm ProxyBucket on the real cache, rotate the secret in
 * LocalDkms, let LocalOss accept the new key and revoke the old one, then fire a mix of `put` (Buffer),
 * `get` and `head` all at once. Every call is signed with the revoked key first, so this measures the
 * whole recovery path: rejection → AKExpireHandler → one coalesced forced refresh → retry.
 */
export async function runRotationStorm(options: RotationStormOptions): Promise<RotationStormResult> {
  const stack = await BenchStack.start();
  try {
    const bucket = stack.newBucket();
    await bucket.ready();
    const objects = 16;
    for (let i = 0; i < objects; i++) await bucket.put(`storm/${i}.txt`, BODY);

    stack.rotate(true);
    const kmsBefore = stack.kmsCalls();
    const ossBefore = stack.oss.counters();
    const errorCodes: Record<string, number> = {};
    const outcomes = await Promise.allSettled(
      Array.from({ length: options.calls }, (_, i) => {
        const name = `storm/${i % objects}.txt`;
        switch (i % 3) {
          case 0:
            return bucket.put(name, BODY);
          case 1:
            return bucket.get(name);
          default:
            return bucket.head(name);
        }
      }),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') continue;
      const code = String((outcome.reason as { code?: unknown })?.code ?? (outcome.reason as Error)?.name ?? 'unknown');
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    }
    const kmsCalls = stack.kmsCalls() - kmsBefore;
    const ossAfter = stack.oss.counters();
    const ossRequests = ossAfter.requests - ossBefore.requests;
    const ossRejected = (ossAfter.byErrorCode.InvalidAccessKeyId ?? 0) - (ossBefore.byErrorCode.InvalidAccessKeyId ?? 0);
    await bucket.head('storm/0.txt');
    const newKeyInUse = stack.oss.requests.last()?.accessKeyId === stack.currentKey.accessKeyId;
    return {
      calls: options.calls,
      errors: outcomes.filter((o) => o.status === 'rejected').length,
      errorCodes,
      kmsCalls,
      ossRequests,
      ossRejected,
      extraOssRequests: ossRequests - options.calls,
      newKeyInUse,
    };
  } finally {
    await stack.close();
  }
}
