import { openApiErrorToKmsError } from '../../src/kms/openapi/open-api-error-to-kms-error.js';
import { SecretInfo } from '../../src/kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import type { KeyRegistry } from './key-registry.js';
import type { OwnTimers } from './own-timers.js';
import type { SimRandom } from './sim-random.js';
import type { SimTrace } from './sim-trace.js';

/** How often each KMS fault happens while the chaos lasts (probability per request, 0 = never). */
export interface KmsFaultRates {
  /** No answer at all until the request is aborted. */
  hang: number;
  /** HTTP 503 `ServiceUnavailable` (retryable). */
  unavailable: number;
  /** HTTP 429 `Rejected.Throttling` (retryable, throttling). */
  throttle: number;
  /** SecretData that is not JSON. */
  garbage: number;
  /** SecretData without `AccessKeySecret`. */
  missingField: number;
}

/** Options of {@link ScriptedKms}. */
export interface ScriptedKmsOptions {
  /** Index of this source in the failover group (for the trace). */
  index: number;
  registry: KeyRegistry;
  rates: KmsFaultRates;
  /** Faults stop at this monotonic time; afterwards every answer is normal. */
  chaosEndMs: number;
  /** STS: while the chaos lasts, a credential is replaced only when less than this is left. */
  stsReissueBeforeMs: number;
  /** Until this monotonic time the secret does not exist (HTTP 404 `Forbidden.ResourceNotFound`, final). */
  secretCreatedAtMs: number;
  /** Round trip of an answer, ms. */
  latencyMs: readonly [number, number];
  random: SimRandom;
  timers: OwnTimers;
  trace: SimTrace;
  /** The true wall clock (for NextRotationDate). */
  trueWall: () => number;
  /** When the next planned rotation happens (monotonic), for NextRotationDate; `undefined`: none planned. */
  nextRotationAtMs: () => number | undefined;
  now: () => number;
}

/**
 * A KMS endpoint that answers GetSecretValue from the {@link KeyRegistry}, with faults drawn per request from
 * a seeded schedule. Errors go through the same mapping the OpenAPI source uses, so they have the exact
 * shape the library sees from the real service. The value is read when the request arrives.
 */
export class ScriptedKms implements SecretSource {
  readonly description: string;

  /** @param options - faults, latency, the registry and the world's timers */
  constructor(private readonly options: ScriptedKmsOptions) {
    this.description = `scripted-kms-${options.index}`;
  }

  /** Answers after the drawn latency with the registry's key, or with the fault drawn for this request. */
  getSecretValue(request: GetSecretValueRequest, callOptions: GetSecretValueOptions = {}): Promise<SecretInfo> {
    const { index, registry, random, timers, trace, now } = this.options;
    const ask = trace.askStarted(index);
    const { signal } = callOptions;
    const atMs = now();
    const fault = this.#drawFault(atMs);
    const requestId = `sim-req-${ask.seq}`;
    const key = atMs < this.options.chaosEndMs ? registry.answer(this.options.stsReissueBeforeMs) : registry.answer();
    const latencyMs = random.between(this.options.latencyMs[0], this.options.latencyMs[1]);
    return new Promise<SecretInfo>((resolve, reject) => {
      if (signal?.aborted) {
        trace.askEnded(ask, 'aborted');
        reject(signal.reason);
        return;
      }
      const pending: { timer?: unknown } = {};
      const onAbort = () => {
        if (pending.timer !== undefined) timers.clear(pending.timer);
        trace.askEnded(ask, fault === 'hang' ? 'hang, aborted' : 'aborted');
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (fault === 'hang') return; // answers never; only the abort ends it
      pending.timer = timers.set(() => {
        signal?.removeEventListener('abort', onAbort);
        const service = (code: string, statusCode: number) =>
          openApiErrorToKmsError(
            { code, statusCode, data: { RequestId: requestId, Message: code } },
            { source: this.description, secretName: request.secretName },
          );
        switch (fault) {
          case 'not-found':
            trace.askEnded(ask, '404 Forbidden.ResourceNotFound');
            reject(service('Forbidden.ResourceNotFound', 404));
            return;
          case 'unavailable':
            trace.askEnded(ask, '503');
            reject(service('ServiceUnavailable', 503));
            return;
          case 'throttle':
            trace.askEnded(ask, '429 throttled');
            reject(service('Rejected.Throttling', 429));
            return;
          default:
            trace.askEnded(ask, `${fault ?? 'ok'} ${key.accessKeyId}`);
            resolve(this.#info(request.secretName, fault, key, requestId));
        }
      }, latencyMs);
    });
  }

  #drawFault(atMs: number): 'not-found' | 'hang' | 'unavailable' | 'throttle' | 'garbage' | 'missing-field' | undefined {
    const { rates, random, chaosEndMs, secretCreatedAtMs } = this.options;
    if (atMs < secretCreatedAtMs) return 'not-found';
    if (atMs >= chaosEndMs) return undefined;
    // One draw per request, against the cumulative rates in a fixed order.
    const roll = random.next();
    const order = [
      ['hang', rates.hang],
      ['unavailable', rates.unavailable],
      ['throttle', rates.throttle],
      ['garbage', rates.garbage],
      ['missing-field', rates.missingField],
    ] as const;
    let edge = 0;
    for (const [fault, rate] of order) {
      edge += rate;
      if (roll < edge) return fault;
    }
    return undefined;
  }

  #info(secretName: string, fault: string | undefined, key: ReturnType<KeyRegistry['answer']>, requestId: string): SecretInfo {
    const { registry, trueWall, nextRotationAtMs, now } = this.options;
    const data: Record<string, string> = { AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret };
    if (key.securityToken !== undefined) data['SecurityToken'] = key.securityToken;
    if (key.expiresAtWallMs !== undefined) data['ExpireTimestamp'] = new Date(key.expiresAtWallMs).toISOString();
    if (fault === 'missing-field') delete data['AccessKeySecret'];
    const secretData = fault === 'garbage' ? '{"AccessKeyId": "LTAI' : JSON.stringify(data);
    const sts = registry.kind === 'sts';
    const nextAtMs = nextRotationAtMs();
    return new SecretInfo({
      secretName,
      secretType: sts ? 'Generic' : 'RAMCredentials',
      secretDataType: 'text',
      secretData,
      versionId: `v-${key.accessKeyId}`,
      versionStages: ['ACSCurrent'],
      ...(sts ? {} : { extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: 'sim-user' } }),
      ...(sts || nextAtMs === undefined ? {} : { nextRotationDateMs: trueWall() + (nextAtMs - now()) }),
      requestId,
    });
  }
}
