import type { KeyRegistry } from './key-registry.js';
import type { OwnTimers } from './own-timers.js';
import type { SimBody } from './sim-body.js';
import type { SimRandom } from './sim-random.js';
import type { CallRecord, SimTrace } from './sim-trace.js';

/** What a simulated OSS request is signed with. */
export interface SimSigningKey {
  accessKeyId: string;
  securityToken: string | undefined;
}

/** Options of {@link ScriptedOss}. */
export interface ScriptedOssOptions {
  registry: KeyRegistry;
  /** Round trip of a request, ms. */
  latencyMs: readonly [number, number];
  /** Probability of a code-less 403 (what ali-oss reports when it cannot read the body) while the chaos lasts. */
  codeless403Rate: number;
  chaosEndMs: number;
  random: SimRandom;
  timers: OwnTimers;
  trace: SimTrace;
  now: () => number;
}

/** The error a simulated OSS request fails with, shaped like ali-oss's. */
export interface SimOssError extends Error {
  code?: string;
  status: number;
}

/**
 * OSS as the simulated calls see it: a request signed with a key is answered after a random latency,
 * judged by the {@link KeyRegistry} as of the moment it reached OSS (half way), with ali-oss's error shape
 * (`code`, `status`). Every send is recorded, and the body is put on the wire once per send.
 */
export class ScriptedOss {
  /** @param options - latency, faults, the registry and the world's timers */
  constructor(private readonly options: ScriptedOssOptions) {}

  /** Sends one request of `call` signed with `key`; resolves on success, rejects with the OSS error. */
  send(call: CallRecord, key: SimSigningKey, body: SimBody): Promise<void> {
    const { registry, random, timers, trace, now, chaosEndMs } = this.options;
    const record = trace.sent(call, key.accessKeyId);
    body.send();
    call.bodySends = body.sends;
    const latencyMs = random.between(this.options.latencyMs[0], this.options.latencyMs[1]);
    const sentAtMs = now();
    const codeless = sentAtMs < chaosEndMs && random.chance(this.options.codeless403Rate);
    return new Promise<void>((resolve, reject) => {
      timers.set(() => {
        const verdict = codeless ? '403' : registry.judge(key.accessKeyId, key.securityToken, sentAtMs + latencyMs / 2);
        trace.answered(record, verdict);
        if (verdict === 'ok') {
          resolve();
          return;
        }
        const error = new Error(verdict === '403' ? 'Forbidden' : `OSS rejected the request: ${verdict}`) as SimOssError;
        error.name = verdict === '403' ? 'UnknownError' : `${verdict}Error`;
        error.status = 403;
        if (verdict !== '403') error.code = verdict;
        reject(error);
      }, latencyMs);
    });
  }
}
