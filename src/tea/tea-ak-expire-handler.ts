import type { AKExpireHandler } from '../oss/ak-expire-handler.js';

/**
 * The Alibaba Cloud OpenAPI error codes judged as a rejected key by default. `@alicloud/rpc-client` (legacy
 * clients such as `@alicloud/kms20160120` 1.x) appends `Error` to each code; those forms count too.
 */
export const DEFAULT_TEA_AK_EXPIRE_CODES: readonly string[] = Object.freeze([
  'InvalidAccessKeyId.NotFound', // deleted (revoked) AccessKey
  'InvalidAccessKeyId', // unknown AccessKey
  'InvalidAccessKeyId.Inactive', // disabled AccessKey
  'Unauthorized', // the gateway's answer for some products
  'InvalidSecurityToken.Expired', // an STS-bearing secret served too long
  'InvalidSecurityToken.MismatchWithAccessKey',
  'InvalidSecurityToken.Malformed',
]);

/**
 * The default judge of {@link createManagedClient}: an error of a Tea SDK client (openapi-client's Tea error,
 * openapi-core's `ClientError`, rpc-client's error) means "key rejected" when its `code` is one of `codes`
 * (default {@link DEFAULT_TEA_AK_EXPIRE_CODES}), with or without rpc-client's `Error` suffix.
 * `SignatureDoesNotMatch` is not in the default list: with a rotating key it means a wrong secret for a known
 * id, which a refresh does not cure; pass it in `codes` if your setup differs.
 *
 * @example
 * ```ts
 * createManagedClient(Sts, config, { secretName, akExpireHandler: new TeaAKExpireHandler([...DEFAULT_TEA_AK_EXPIRE_CODES, 'Forbidden.RAM']) });
 * ```
 */
export class TeaAKExpireHandler implements AKExpireHandler {
  /** The error codes judged expired (without the `Error` suffix). */
  readonly codes: ReadonlySet<string>;

  /** @param codes - service error codes that mean the key was rejected; default {@link DEFAULT_TEA_AK_EXPIRE_CODES} */
  constructor(codes: Iterable<string> = DEFAULT_TEA_AK_EXPIRE_CODES) {
    this.codes = new Set(codes);
  }

  judgeAKExpire(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) return false;
    const { code } = error as { code?: unknown };
    if (typeof code !== 'string') return false;
    return this.codes.has(code) || (code.endsWith('Error') && this.codes.has(code.slice(0, -'Error'.length)));
  }
}
