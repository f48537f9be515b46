import { isCodeless403 } from './is-codeless-403.js';
import type { AKExpireHandler } from './ak-expire-handler.js';

/** Options of {@link OssAKExpireHandler}. */
export interface OssAKExpireHandlerOptions {
  /**
   * Also judge a 403 that carries no error code as possibly expired (default `true`). ali-oss cannot read
   * the error body of `getStream` and `get(name, writable)`, so a revoked key shows up there as a bare 403.
   * Judging it expired is cheap: the bucket then asks the cache, which returns a newer key without calling
   * KMS when it already has one, and retries only if the key actually changed.
   */
  codeless403IsExpired?: boolean;
}

/** The OSS error codes judged as a rejected key by default. */
export const DEFAULT_AK_EXPIRE_CODES: readonly string[] = Object.freeze([
  'InvalidAccessKeyId', // unknown, deleted or disabled AccessKey
  'SecurityTokenExpired', // an STS-bearing secret served too long
  'InvalidSecurityToken', // an STS token that does not match its key
]);

/**
 * The default {@link AKExpireHandler}: judges ali-oss errors by their `code` (default
 * {@link DEFAULT_AK_EXPIRE_CODES}: `InvalidAccessKeyId`, which OSS also returns for disabled keys, and the STS
 * token codes `SecurityTokenExpired` and `InvalidSecurityToken`).
 *
 * @example
 * ```ts
 * new OssAKExpireHandler(['InvalidAccessKeyId', 'SignatureDoesNotMatch'])
 * ```
 */
export class OssAKExpireHandler implements AKExpireHandler {
  /** The error codes judged expired. */
  readonly codes: ReadonlySet<string>;
  private readonly codeless403IsExpired: boolean;

  /**
   * @param codes - OSS error codes that mean the key was rejected; default {@link DEFAULT_AK_EXPIRE_CODES}
   * @param options - see {@link OssAKExpireHandlerOptions}
   */
  constructor(codes: Iterable<string> = DEFAULT_AK_EXPIRE_CODES, options: OssAKExpireHandlerOptions = {}) {
    this.codes = new Set(codes);
    this.codeless403IsExpired = options.codeless403IsExpired ?? true;
  }

  judgeAKExpire(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) return false;
    const { code } = error as { code?: unknown };
    if (typeof code === 'string' && this.codes.has(code)) return true;
    return this.codeless403IsExpired && isCodeless403(error);
  }
}
