import { openApiErrorToKmsError } from '../../src/kms/openapi/open-api-error-to-kms-error.js';
import { SecretInfo } from '../../src/kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import type { Clock } from '../../src/runtime/clock.js';
import { KmsQuota, type QuotaModel } from './kms-quota.js';

export type { QuotaModel } from './kms-quota.js';

/** An AccessKey the simulated KMS serves. */
export interface SimulatedKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** Options of {@link SimulatedKms}. */
export interface SimulatedKmsOptions {
  clock: Clock;
  secretName: string;
  /** Requests accepted per virtual second (a fixed window per second); the rest are throttled. */
  quotaQps: number;
  /** Round trip of every answer, accepted or throttled, ms. */
  latencyMs: number;
  /** The key served until {@link SimulatedKms.rotate}. */
  key: SimulatedKey;
  /** Default `fixed-window`. */
  quotaModel?: QuotaModel;
  /** Throttled answers carry `x-ratelimit-user: Limit:<q>,Remain:0,TimeLeft:<ms until room>`; default no. */
  hints?: boolean;
}

/** Requests that arrived within one virtual second. */
export interface KmsSecond {
  attempts: number;
  throttled: number;
}

/**
 * A KMS with a GetSecretValue quota, for the fleet simulation: a request arriving when the current virtual
 * second has used up its quota is answered, after the same latency, with HTTP 429 `Rejected.Throttling`
 * turned into a `KmsError` by the same mapping the OpenAPI source uses. Admission counts attempts per
 * second (from {@link SimulatedKms.startCounting} on) for the report.
 */
export class SimulatedKms implements SecretSource {
  readonly description = 'simulated-kms';
  readonly #options: SimulatedKmsOptions;
  #key: SimulatedKey;
  #versionNumber = 1;
  readonly #quota: KmsQuota;
  #countFromMs: number | undefined;
  #requestNumber = 0;
  /** Per virtual second since {@link SimulatedKms.startCounting}. */
  readonly seconds: KmsSecond[] = [];
  /** Throttling on or off (off while the fleet loads its first key). */
  quotaEnforced = false;

  /** @param options - quota, latency, clock and the first key */
  constructor(options: SimulatedKmsOptions) {
    this.#options = options;
    this.#key = options.key;
    this.#quota = new KmsQuota(options.quotaQps, options.quotaModel);
  }

  /** Serves `key` from now on (a new version). */
  rotate(key: SimulatedKey): void {
    this.#key = key;
    this.#versionNumber += 1;
  }

  /**
   * Counts attempts per second from now on (second 0 starts now) and enforces the quota; KMS's own window
   * started `windowOffsetMs` ago (fixed window), or the bucket is full (token bucket).
   */
  startCounting(windowOffsetMs = 0): void {
    const nowMs = this.#options.clock.monotonicNow();
    this.#countFromMs = nowMs;
    this.#quota.start(nowMs, windowOffsetMs);
    this.quotaEnforced = true;
  }

  /** Total attempts and throttled attempts since counting started. */
  get totals(): KmsSecond {
    let attempts = 0;
    let throttled = 0;
    for (const s of this.seconds) {
      attempts += s?.attempts ?? 0;
      throttled += s?.throttled ?? 0;
    }
    return { attempts, throttled };
  }

  getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    const { clock, quotaQps, latencyMs } = this.#options;
    const nowMs = clock.monotonicNow();
    const admission = this.quotaEnforced ? this.#quota.admit(nowMs) : { admitted: true as const };
    const throttled = !admission.admitted;
    const headers =
      !admission.admitted && this.#options.hints === true
        ? { 'x-ratelimit-user': `Limit:${quotaQps},Remain:0,TimeLeft:${Math.max(0, Math.ceil(admission.timeLeftMs))}` }
        : undefined;
    if (this.#countFromMs !== undefined) {
      const index = Math.floor((nowMs - this.#countFromMs) / 1000);
      const bucket = (this.seconds[index] ??= { attempts: 0, throttled: 0 });
      bucket.attempts += 1;
      if (throttled) bucket.throttled += 1;
    }
    const requestId = `sim-${++this.#requestNumber}`;
    // The value is read on arrival, as a real answer carries what KMS held when the request came in.
    const key = this.#key;
    const versionId = `v${this.#versionNumber}`;
    const { signal } = options;
    return new Promise<SecretInfo>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        if (throttled) {
          // The shape @alicloud/openapi-client throws for an HTTP error answer, through the real mapping.
          const teaError = { code: 'Rejected.Throttling', statusCode: 429, data: { RequestId: requestId, Message: 'QPS Limit Exceeded' } };
          reject(openApiErrorToKmsError(teaError, { source: this.description, secretName: request.secretName, ...(headers ? { headers } : {}) }));
          return;
        }
        resolve(
          new SecretInfo({
            secretName: request.secretName,
            secretType: 'RAMCredentials',
            secretDataType: 'text',
            versionId,
            versionStages: ['ACSCurrent'],
            secretData: JSON.stringify({ AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret }),
            extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: 'fleet-user' },
            requestId,
          }),
        );
      }, latencyMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
