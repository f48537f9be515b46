import { KmsError } from '../../../src/kms/kms-error.js';
import { SecretInfo } from '../../../src/kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../../src/kms/secret-source.js';
import type { Clock } from '../../../src/runtime/clock.js';

/** What one call to a {@link ScriptedSource} does: answer or fail after `afterMs` of (virtual) time. */
export type Step = { afterMs?: number; answer: string } | { afterMs?: number; fail: KmsError | Error };

/**
 * An in-memory stand-in for a KMS source (a double of the failover's dependency): each call takes the next
 * scripted step (the last one repeats), waits on the injected clock, honours the abort signal, and is recorded.
 */
export class ScriptedSource implements SecretSource {
  readonly calls: GetSecretValueRequest[] = [];
  /** `timeoutMs` and the (virtual monotonic) time of each call. */
  readonly callOptions: { timeoutMs: number | undefined; atMs: number }[] = [];
  /** `keepAlive` of each call. */
  readonly keepAlive: (boolean | undefined)[] = [];
  /** What the last failed call rejected with. */
  lastFailure: unknown;
  aborted = 0;
  closed = 0;

  constructor(
    readonly description: string,
    private readonly clock: Clock,
    private readonly steps: Step[],
  ) {}

  getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    const step = this.steps[Math.min(this.calls.length, this.steps.length - 1)] as Step;
    this.calls.push(request);
    this.callOptions.push({ timeoutMs: options.timeoutMs, atMs: this.clock.monotonicNow() });
    this.keepAlive.push(options.keepAlive);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.clock.clearTimeout(timer);
        this.aborted++;
        reject(options.signal?.reason);
      };
      const timer = this.clock.setTimeout(() => {
        options.signal?.removeEventListener('abort', onAbort);
        if ('answer' in step) {
          resolve(
            new SecretInfo({
              secretName: request.secretName,
              secretData: step.answer,
              versionId: this.description,
              versionStages: ['ACSCurrent'],
            }),
          );
        } else {
          this.lastFailure = step.fail;
          reject(step.fail);
        }
      }, step.afterMs ?? 0);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.closed++;
  }
}

export const throttled = () =>
  new KmsError('throttled', { code: 'Rejected.Throttling', httpStatus: 400, retryable: true });
export const unavailable = () =>
  new KmsError('unavailable', { code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true });
export const notFound = () =>
  new KmsError('no such secret', { code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false });
