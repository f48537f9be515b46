import type { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import type { Clock } from '../../src/runtime/clock.js';

/** One request the scripted service received. */
export interface ServiceRequest {
  accessKeyId: string;
  /** Monotonic time it was sent. */
  sentAtMs: number;
  outcome?: 'ok' | 'rejected';
}

/**
 * A service (standing in for OSS) on a virtual clock: answers after `latencyMs`, and rejects a key that is
 * revoked when the request arrives, with the `InvalidAccessKeyId` error ali-oss would throw. A test double of
 * the *dependency*; the cache and call core under test are real.
 */
export class ScriptedService {
  readonly revoked = new Set<string>();
  readonly requests: ServiceRequest[] = [];
  latencyMs = 0;

  constructor(private readonly clock: Clock) {}

  call(credential: AccessKeyCredential): Promise<string> {
    const request: ServiceRequest = { accessKeyId: credential.accessKeyId, sentAtMs: this.clock.monotonicNow() };
    this.requests.push(request);
    return new Promise((resolve, reject) => {
      const answer = () => {
        if (this.revoked.has(credential.accessKeyId)) {
          request.outcome = 'rejected';
          reject(Object.assign(new Error(`The OSS Access Key Id ${credential.accessKeyId} you provided does not exist`), { code: 'InvalidAccessKeyId', status: 403 }));
        } else {
          request.outcome = 'ok';
          resolve(`ok:${credential.accessKeyId}`);
        }
      };
      if (this.latencyMs <= 0) queueMicrotask(answer);
      else this.clock.setTimeout(answer, this.latencyMs);
    });
  }
}
