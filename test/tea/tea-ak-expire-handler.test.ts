import { describe, expect, it } from 'vitest';
import { DEFAULT_TEA_AK_EXPIRE_CODES, TeaAKExpireHandler } from '../../src/tea/tea-ak-expire-handler.js';

// What the SDKs throw: openapi-client a Tea error, openapi-core a ClientError, rpc-client a Tea error whose
// code has `Error` appended. All carry `code`.
const teaError = (code: unknown): Error => Object.assign(new Error(`code: 404, ${String(code)}`), { code });

describe('TeaAKExpireHandler', () => {
  const handler = new TeaAKExpireHandler();

  it.each([
    'InvalidAccessKeyId.NotFound',
    'InvalidAccessKeyId',
    'InvalidAccessKeyId.Inactive',
    'Unauthorized',
    'InvalidSecurityToken.Expired',
  ])('judges %s and its rpc-client form %sError as a rejected key', (code) => {
    expect(handler.judgeAKExpire(teaError(code))).toBe(true);
    expect(handler.judgeAKExpire(teaError(`${code}Error`))).toBe(true);
  });

  it('does not judge other errors, codeless errors or non-errors as a rejected key', () => {
    for (const error of [
      teaError('SignatureDoesNotMatch'),
      teaError('Throttling.User'),
      teaError('InvalidAccessKeyIdX'),
      teaError('Error'),
      teaError(404),
      new Error('InvalidAccessKeyId.NotFound'), // a message is not a code
      undefined,
      null,
      'InvalidAccessKeyId',
    ]) {
      expect(handler.judgeAKExpire(error)).toBe(false);
    }
  });

  it('takes its own codes instead of the defaults', () => {
    const custom = new TeaAKExpireHandler(['Forbidden.RAM']);
    expect(custom.judgeAKExpire(teaError('Forbidden.RAM'))).toBe(true);
    expect(custom.judgeAKExpire(teaError('Forbidden.RAMError'))).toBe(true);
    expect(custom.judgeAKExpire(teaError('InvalidAccessKeyId.NotFound'))).toBe(false);
    expect([...new TeaAKExpireHandler().codes]).toEqual(DEFAULT_TEA_AK_EXPIRE_CODES);
  });
});
