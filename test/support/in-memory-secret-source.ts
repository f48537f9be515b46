import { KmsError } from '../../src/kms/kms-error.js';
import { SecretInfo } from '../../src/kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../../src/kms/secret-source.js';
import { SecretStore } from '../../src/testing/secret-store.js';

/** A retryable KMS outage error, as a real source would throw it. */
export function unavailable(message = 'KMS is unavailable'): KmsError {
  return new KmsError(message, { code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true, source: 'in-memory' });
}

/**
 * A {@link SecretSource} over a {@link SecretStore}, without any network: a test double of the cache's
 * *dependency* (the cache under test is real). It records every call, can fail the next calls or be "down",
 * can hold answers until released (to make calls overlap), and honours the abort signal.
 */
export class InMemorySecretSource implements SecretSource {
  readonly description = 'in-memory';
  readonly store: SecretStore;
  /** Every request received, in order. */
  readonly calls: GetSecretValueRequest[] = [];
  /** How many times close() was called. */
  closeCalls = 0;
  /** Requests waiting on a hold or still running. */
  inFlight = 0;
  /**
   * Read the store when a request arrives rather than when its answer is released from a hold: a held answer
   * then carries the value from before a rotation that happened while it was held (as a real KMS answer can).
   */
  readAtReceipt = false;
  #failures: unknown[] = [];
  #down: unknown;
  #held: Promise<void> | undefined;
  #release: (() => void) | undefined;

  /** @param store - the secrets to serve (shared with the test, which rotates them) */
  constructor(store: SecretStore = new SecretStore()) {
    this.store = store;
  }

  /** Number of GetSecretValue calls so far. */
  get callCount(): number {
    return this.calls.length;
  }

  /** The next `times` calls throw `error`. */
  failNext(error: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push(error);
  }

  /** Every call throws `error` until {@link recover}. */
  goDown(error: unknown = unavailable()): void {
    this.#down = error;
  }

  /** Ends {@link goDown}. */
  recover(): void {
    this.#down = undefined;
  }

  /** Calls wait (after being counted) until the returned function is called. */
  hold(): () => void {
    this.#held = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    return () => {
      this.#held = undefined;
      this.#release?.();
    };
  }

  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    this.calls.push({ ...request });
    this.inFlight += 1;
    try {
      const read = () => this.store.getVersion(request.secretName, request.versionStage === undefined ? {} : { versionStage: request.versionStage });
      const early = this.readAtReceipt ? read() : undefined;
      const held = this.#held;
      if (held) await abortable(held, options.signal);
      options.signal?.throwIfAborted();
      if (this.#down !== undefined) throw this.#down;
      if (this.#failures.length > 0) throw this.#failures.shift();
      const record = this.readAtReceipt ? early : read();
      if (!record) {
        throw new KmsError(`secret ${request.secretName} not found`, { code: 'Forbidden.ResourceNotFound', httpStatus: 404, retryable: false });
      }
      const { extendedConfig, ...fields } = record;
      return new SecretInfo({
        ...fields,
        ...(extendedConfig === undefined || request.fetchExtendedConfig === false
          ? {}
          : { extendedConfig: JSON.parse(extendedConfig) as Record<string, unknown> }),
        requestId: `req-${this.calls.length}`,
      });
    } finally {
      this.inFlight -= 1;
    }
  }

  close(): void {
    this.closeCalls += 1;
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    void promise.then(resolve);
  });
}
