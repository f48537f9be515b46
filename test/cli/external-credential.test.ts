import { describe, expect, it } from 'vitest';
import { toExternalCredential } from '../../src/cli/credential-process/external-credential.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';

const at = (iso: string) => Date.parse(iso);

describe('toExternalCredential', () => {
  it('expires at the earlier of the next refresh and the token expiry, in whole seconds rounded down', () => {
    const sts = new AccessKeyCredential({ accessKeyId: 'STS.a', accessKeySecret: 's', securityToken: 't', expiresAtMs: at('2026-01-01T01:00:00Z') });
    expect(toExternalCredential(sts, at('2026-01-01T00:40:00.999Z'))).toEqual({
      mode: 'StsToken',
      access_key_id: 'STS.a',
      access_key_secret: 's',
      sts_token: 't',
      expiration: '2026-01-01T00:40:00Z',
    });
    // A refresh planned past the token's expiry never stretches it.
    expect(toExternalCredential(sts, at('2026-01-01T02:00:00Z')).expiration).toBe('2026-01-01T01:00:00Z');
    expect(toExternalCredential(sts, undefined).expiration).toBe('2026-01-01T01:00:00Z');
  });

  it('leaves expiration out when nothing is known (the reader then asks on every call) and has no sts_token for an AK', () => {
    const ak = new AccessKeyCredential({ accessKeyId: 'LTAI5tA', accessKeySecret: 's' });
    expect(toExternalCredential(ak, undefined)).toEqual({ mode: 'AK', access_key_id: 'LTAI5tA', access_key_secret: 's' });
    expect(Object.keys(toExternalCredential(ak, at('2026-01-01T00:00:00Z')))).toEqual(['mode', 'access_key_id', 'access_key_secret', 'expiration']);
  });
});
