/**
 * Recovery after a rejected key, measured on the real stack over sockets in real time (issue 11 targets):
 *
 * - disabled: the key is disabled in RAM (OSS rejects it) 3 s before KMS rotates; how soon calls succeed again
 *   after the rotation, and how many KMS calls the cache made meanwhile;
 * - late acceptance: KMS rotates and the old key is revoked, but OSS accepts the new key only 3 s later; errors
 *   after acceptance, and errors at the next ordinary rotation;
 * - code-less 403s: 20 `getStream` calls of an object the key may not read (ali-oss sees a 403 without code),
 *   then a real rotation; KMS calls and the rotation's errors;
 * - hanging KMS: a cold start while KMS accepts and never answers, `fetch_timeout` 3 s; how long the caller waits;
 * - disabled key while KMS hangs (issue 18 finding 1): every call's wait against `fetch_timeout` (3 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProxyBucket } from '../src/oss/index.js';
import { BenchStack, BUCKET_NAME, newKey, SECRET_NAME } from './lib/stack.js';

/** One workload call's outcome, at ms since the scenario's t0. */
interface CallRecord {
  atMs: number;
  ok: boolean;
  code: string | undefined;
  /** How long the call took. */
  durationMs: number;
}

/** Figures of the recovery benchmark. */
export interface RecoveryResult {
  disabled: {
    kmsRotatedAtMs: number;
    recoveredAfterMs: number | undefined;
    kmsCallsWhileDisabled: number;
    disabledForMs: number;
    errors: number;
    /** Shortest gap between two KMS asks for the secret (their start times), ms: the recovery pace. */
    minAskGapMs: number | undefined;
    maxCallMs: number;
  };
  /** Finding 1 of issue 18: the key disabled in RAM while KMS stops answering; no call may wait past its deadline. */
  disabledKmsHanging: { fetchTimeoutMs: number; calls: number; maxCallMs: number; errorCodes: Record<string, number> };
  lateAcceptance: { acceptDelayMs: number; errorsAfterAcceptancePlus1s: number; lastErrorAfterAcceptanceMs: number | undefined; nextRotationErrors: number; kmsCalls: number };
  codeless403: { forbiddenReads: number; kmsCalls: number; rotationErrorsAfter: number };
  hangingKms: { fetchTimeoutMs: number; callerWaitMs: number; errorCode: string | undefined };
}

/** Spacing of each workload loop's calls (the report's `CALLS_EVERY_MS`). */
const CALL_INTERVAL_MS = 50;
const LOOPS = 2;

/** Runs put calls from `LOOPS` loops every `CALL_INTERVAL_MS` until `durationMs` after `t0`. */
async function drive(bucket: ProxyBucket, t0: number, durationMs: number, records: CallRecord[]): Promise<void> {
  const loop = async (id: number) => {
    for (let n = 0; Date.now() - t0 < durationMs; n++) {
      const atMs = Date.now() - t0;
      const t0Call = performance.now();
      try {
        await bucket.put(`recovery/${id}-${n % 10}.txt`, Buffer.from('x'));
        records.push({ atMs, ok: true, code: undefined, durationMs: performance.now() - t0Call });
      } catch (error) {
        records.push({ atMs, ok: false, code: (error as { code?: string }).code, durationMs: performance.now() - t0Call });
      }
      await sleep(CALL_INTERVAL_MS);
    }
  };
  await Promise.all(Array.from({ length: LOOPS }, (_, id) => loop(id)));
}

/** Start times (ms, `Date.now()`) of the cache's KMS asks, from its `refresh` and `error` events. */
function recordAsks(stack: BenchStack): number[] {
  const starts: number[] = [];
  const record = (event: { durationMs: number }) => starts.push(Date.now() - event.durationMs);
  stack.cache.on('refresh', record);
  stack.cache.on('error', record);
  return starts;
}

function minGap(starts: readonly number[]): number | undefined {
  const sorted = [...starts].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((at, i) => at - (sorted[i] as number));
  return gaps.length === 0 ? undefined : Math.min(...gaps);
}

function maxDuration(records: readonly CallRecord[]): number {
  return Math.round(Math.max(0, ...records.map((r) => r.durationMs)));
}

async function disabledBeforeRotation(): Promise<RecoveryResult['disabled']> {
  const stack = await BenchStack.start();
  try {
    const bucket = stack.newBucket();
    await bucket.ready();
    const asks = recordAsks(stack);
    const records: CallRecord[] = [];
    const t0 = Date.now();
    const kmsBefore = stack.kmsCalls();
    stack.oss.keys.disable(stack.currentKey.accessKeyId); // disabled in RAM before KMS rotates
    const rotateAfterMs = 3000;
    let kmsCallsWhileDisabled = 0;
    const rotation = sleep(rotateAfterMs).then(() => {
      kmsCallsWhileDisabled = stack.kmsCalls() - kmsBefore;
      stack.rotate(false); // the operator rotates the secret in KMS
    });
    await Promise.all([drive(bucket, t0, rotateAfterMs + 7000, records), rotation]);
    const firstOkAfter = records.filter((r) => r.ok && r.atMs >= rotateAfterMs).sort((a, b) => a.atMs - b.atMs)[0];
    return {
      kmsRotatedAtMs: rotateAfterMs,
      recoveredAfterMs: firstOkAfter === undefined ? undefined : firstOkAfter.atMs - rotateAfterMs,
      kmsCallsWhileDisabled,
      disabledForMs: rotateAfterMs,
      errors: records.filter((r) => !r.ok).length,
      minAskGapMs: minGap(asks.filter((at) => at - t0 < rotateAfterMs)),
      maxCallMs: maxDuration(records),
    };
  } finally {
    await stack.close();
  }
}

async function lateAcceptance(): Promise<RecoveryResult['lateAcceptance']> {
  const stack = await BenchStack.start();
  try {
    const bucket = stack.newBucket();
    await bucket.ready();
    const records: CallRecord[] = [];
    const acceptDelayMs = 3000;
    const t0 = Date.now();
    const kmsBefore = stack.kmsCalls();
    // KMS rotates, the old key is revoked at once, and OSS accepts the new key only 3 s later.
    const previous = stack.currentKey;
    const next = newKey();
    stack.dkms.rotate(SECRET_NAME, next);
    stack.oss.keys.add({ ...next, acceptAfterMs: acceptDelayMs });
    stack.oss.keys.revoke(previous.accessKeyId);
    stack.currentKey = next;
    const nextRotationAtMs = acceptDelayMs + 3000;
    const rotation = sleep(nextRotationAtMs).then(() => stack.rotate(true));
    await Promise.all([drive(bucket, t0, nextRotationAtMs + 3000, records), rotation]);
    const errors = records.filter((r) => !r.ok);
    const afterAcceptance = errors.filter((r) => r.atMs >= acceptDelayMs);
    return {
      acceptDelayMs,
      errorsAfterAcceptancePlus1s: errors.filter((r) => r.atMs >= acceptDelayMs + 1000 && r.atMs < nextRotationAtMs).length,
      lastErrorAfterAcceptanceMs: afterAcceptance.filter((r) => r.atMs < nextRotationAtMs).reduce<number | undefined>(
        (last, r) => Math.max(last ?? 0, r.atMs - acceptDelayMs),
        undefined,
      ),
      nextRotationErrors: errors.filter((r) => r.atMs >= nextRotationAtMs).length,
      kmsCalls: stack.kmsCalls() - kmsBefore,
    };
  } finally {
    await stack.close();
  }
}

async function codeless403s(): Promise<RecoveryResult['codeless403']> {
  const stack = await BenchStack.start();
  try {
    const bucket = stack.newBucket();
    await bucket.put('forbidden.txt', Buffer.from('not for you'));
    stack.oss.setAccessDenied(BUCKET_NAME, 'forbidden.txt');
    const kmsBefore = stack.kmsCalls();
    const forbiddenReads = 20;
    for (let i = 0; i < forbiddenReads; i++) {
      await bucket.getStream('forbidden.txt').then(
        () => undefined,
        () => undefined, // 403 without code, as ali-oss reports it for getStream
      );
      await sleep(100);
    }
    const kmsCalls = stack.kmsCalls() - kmsBefore;
    stack.rotate(true); // a real rotation right after: must not be held back by the 403s
    let rotationErrorsAfter = 0;
    for (let i = 0; i < 20; i++) {
      await bucket.put(`after-${i}.txt`, Buffer.from('x')).catch(() => (rotationErrorsAfter += 1));
    }
    return { forbiddenReads, kmsCalls, rotationErrorsAfter };
  } finally {
    await stack.close();
  }
}

async function hangingKms(): Promise<RecoveryResult['hangingKms']> {
  const fetchTimeoutMs = 3000;
  const stack = await BenchStack.start({ cache: { fetchTimeoutMs } });
  try {
    stack.dkms.injectFault({ kind: 'latency', delayMs: Infinity }, { times: Infinity }); // accepts, never answers
    const bucket = stack.newBucket();
    const t0 = Date.now();
    const error = await bucket.put('cold.txt', Buffer.from('x')).then(
      () => undefined,
      (caught: unknown) => caught as { code?: string },
    );
    return { fetchTimeoutMs, callerWaitMs: Date.now() - t0, errorCode: error?.code };
  } finally {
    stack.dkms.clearFaults();
    await stack.close();
  }
}

async function disabledWhileKmsHangs(): Promise<RecoveryResult['disabledKmsHanging']> {
  const fetchTimeoutMs = 3000;
  const stack = await BenchStack.start({ cache: { fetchTimeoutMs } });
  try {
    const bucket = stack.newBucket();
    await bucket.ready();
    stack.oss.keys.disable(stack.currentKey.accessKeyId); // OSS rejects it, KMS still serves it...
    stack.dkms.injectFault({ kind: 'latency', delayMs: Infinity }, { times: Infinity }); // ...and stops answering
    const records: CallRecord[] = [];
    await drive(bucket, Date.now(), 3 * fetchTimeoutMs, records);
    const errorCodes: Record<string, number> = {};
    for (const r of records) if (!r.ok) errorCodes[r.code ?? 'unknown'] = (errorCodes[r.code ?? 'unknown'] ?? 0) + 1;
    return { fetchTimeoutMs, calls: records.length, maxCallMs: maxDuration(records), errorCodes };
  } finally {
    stack.dkms.clearFaults();
    await stack.close();
  }
}

/** Runs the five recovery scenarios one after another (about 35 s). */
export async function runRecovery(): Promise<RecoveryResult> {
  const disabled = await disabledBeforeRotation();
  const disabledKmsHanging = await disabledWhileKmsHangs();
  const late = await lateAcceptance();
  const codeless403 = await codeless403s();
  const hanging = await hangingKms();
  return { disabled, disabledKmsHanging, lateAcceptance: late, codeless403, hangingKms: hanging };
}
