import type { LatencySummary } from '../latency-recorder.js';

/** What a demo run measured; everything here is secret-free. */
export interface DemoResult {
  /** Calls the workload made through ProxyBucket (put, get, list). */
  calls: number;
  /** Calls that rejected, or returned wrong data, as the workload saw them. The demo's promise is 0. */
  errors: number;
  /** Error codes of those calls (at most a few), for the report. */
  errorCodes: string[];
  /** Key rotations performed while the workload ran. */
  rotations: number;
  /** `rotate` events the cache reported (the AccessKeyId it serves changed). */
  rotateEvents: number;
  /** GetSecretValue requests LocalDkms received, failed ones included. */
  kmsCalls: number;
  /** KMS answers that were injected failures (503), which the source retried. */
  kmsFailuresInjected: number;
  /** Requests OSS rejected with `InvalidAccessKeyId` (signed with a revoked key); each was retried with the new key. */
  retries: number;
  /** HTTP requests LocalOss received. */
  ossRequests: number;
  /** Objects stored in LocalOss at the end, each checked byte for byte. */
  objectsStored: number;
  /** Latency of the workload's calls, as the caller measured them (retries included). */
  latency: LatencySummary;
  /** Wall time of the workload, ms. */
  workloadMs: number;
  /** 0 when the workload saw no error, else 1. */
  exitCode: number;
}
