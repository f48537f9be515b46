import { KmsError, KmsErrorCode } from '../kms/kms-error.js';
import { SecretInfo } from '../kms/secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../kms/secret-source.js';
import type { Clock } from '../runtime/clock.js';
import { waitFor } from '../runtime/wait.js';
import { credentialsProviderShape, type AlibabaCloudCredential, type AsyncCredentialsProvider, type CredentialsProviderLike } from './credentials-provider-like.js';

/** Options of {@link CredentialsProviderSource}. */
export interface CredentialsProviderSourceOptions {
  /** The user's provider. */
  provider: CredentialsProviderLike;
  /** The clock the answer's age, the expiry and the timeout are measured on. */
  clock: Clock;
  /** How long an answer without `expiration` is kept, ms: the cache asks again after this. */
  maxAgeMs: number;
}

/**
 * The {@link SecretSource} over a user's credentials provider, so the one cache (single flight, refresh ahead of
 * expiry, rejected-key recovery, bounded waits, events) serves these credentials exactly as it serves KMS
 * secrets. Each `getSecretValue` asks the provider once, within the cache's budget, and hands the answer over
 * as a RAM-credential SecretData: `ExpireTimestamp` from `expiration` (the cache refreshes ahead of it), and
 * `RefreshInterval` so that an answer without expiration is re-asked after `maxAgeMs` and one with it only for
 * its expiry. A provider that throws, answers nothing usable or hangs fails with a retryable `KmsError`
 * `Kms.CredentialsProviderFailed` (its error as `cause`) or `Kms.FetchTimeout`, whose messages name fields and
 * codes only, never a value.
 */
export class CredentialsProviderSource implements SecretSource {
  readonly description: string;
  /** Messages name the user's provider, not KMS. */
  readonly servedBy = 'the credentials provider';
  readonly #provider: CredentialsProviderLike;
  readonly #shape: 'getCredentials' | 'getCredential';
  readonly #clock: Clock;
  readonly #maxAgeMs: number;

  constructor(options: CredentialsProviderSourceOptions) {
    const shape = credentialsProviderShape(options.provider);
    if (shape === undefined) throw new TypeError('a credentials provider needs getCredentials() or getCredential()');
    this.#provider = options.provider;
    this.#shape = shape;
    this.#clock = options.clock;
    this.#maxAgeMs = options.maxAgeMs;
    this.description = `credentialsProvider(${shape}())`;
  }

  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    const clock = this.#clock;
    const timeoutMs = options.timeoutMs;
    const answer = await waitFor(this.#ask(), {
      clock,
      deadlineAtMs: timeoutMs === undefined ? undefined : clock.monotonicNow() + timeoutMs,
      signal: options.signal,
      keepAlive: options.keepAlive !== false,
      onDeadline: () =>
        new KmsError(`${this.description} gave no answer within ${String(timeoutMs)} ms (fetch_timeout)`, {
          code: KmsErrorCode.FetchTimeout,
          retryable: true,
          source: this.description,
        }),
    });
    return this.#toSecretInfo(request.secretName, answer);
  }

  /** One ask; whatever the provider throws (also synchronously) becomes `Kms.CredentialsProviderFailed`. */
  async #ask(): Promise<unknown> {
    try {
      return this.#shape === 'getCredentials'
        ? await (this.#provider as AsyncCredentialsProvider).getCredentials()
        : await (this.#provider as AlibabaCloudCredential).getCredential();
    } catch (error) {
      throw this.#failed(`${this.#shape}() failed (${label(error)})`, error);
    }
  }

  #toSecretInfo(secretName: string, answer: unknown): SecretInfo {
    if (typeof answer !== 'object' || answer === null) throw this.#failed(`${this.#shape}() answered ${answer === null ? 'null' : typeof answer}, not credentials`);
    const record = answer as Record<string, unknown>;
    const accessKeyId = this.#requiredString(record, 'accessKeyId');
    const accessKeySecret = this.#requiredString(record, 'accessKeySecret');
    const token = record.securityToken;
    if (token !== undefined && token !== null && token !== '' && typeof token !== 'string') {
      throw this.#failed(`${this.#shape}() answered a securityToken that is not a string`);
    }
    const expiresAtMs = this.#shape === 'getCredentials' ? this.#expiration(record.expiration) : undefined;
    const nowMs = this.#clock.now();
    // Without expiration: asked again after maxAgeMs. With it: the expiry schedule decides, so the regular
    // interval is set beyond the token's lifetime (never per call, once per token).
    const lifetimeMs = expiresAtMs === undefined ? this.#maxAgeMs : Math.max(this.#maxAgeMs, expiresAtMs - nowMs + this.#maxAgeMs);
    const data: Record<string, unknown> = {
      AccessKeyId: accessKeyId,
      AccessKeySecret: accessKeySecret,
      RefreshInterval: Math.ceil(lifetimeMs / 1000),
    };
    if (typeof token === 'string' && token !== '') data.SecurityToken = token;
    if (expiresAtMs !== undefined) data.ExpireTimestamp = new Date(expiresAtMs).toISOString();
    return new SecretInfo({ secretName, secretData: JSON.stringify(data), versionStages: [] });
  }

  #requiredString(record: Record<string, unknown>, field: 'accessKeyId' | 'accessKeySecret'): string {
    const value = record[field];
    if (typeof value !== 'string' || value === '') throw this.#failed(`${this.#shape}() answered no ${field}`);
    if (/\s/.test(value)) throw this.#failed(`${this.#shape}() answered an ${field} that contains whitespace`);
    return value;
  }

  #expiration(value: unknown): number | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) throw this.#failed(`${this.#shape}() answered an expiration that is not a valid Date, epoch ms or ISO 8601 time`);
    return Math.floor(ms);
  }

  #failed(problem: string, cause?: unknown): KmsError {
    return new KmsError(`${this.description}: ${problem}`, {
      code: KmsErrorCode.CredentialsProviderFailed,
      retryable: true,
      source: this.description,
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** An error's `code` or `name`, if it looks like one: never its message, which may echo what the provider read. */
function label(error: unknown): string {
  const { code, name } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; name?: unknown };
  const pick = [code, name].find((value) => typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/.test(value));
  return (pick as string | undefined) ?? 'error';
}
