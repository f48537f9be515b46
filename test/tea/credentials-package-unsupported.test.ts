import { describe, expect, it, vi } from 'vitest';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { ManagedClientErrorCode } from '../../src/tea/managed-client-error.js';
import { ManualCredentialProvider, credential } from '../support/manual-credential-provider.js';
import { CoreConfig, Sts } from './tea-sdk.js';

// A stand-in for @alicloud/credentials older than 2.4.1 (the dependency, not the unit): its constructor takes
// only a config and, given null, builds the default credential chain, ignoring a second argument.
vi.mock('../../src/tea/load-credential-class.js', () => ({
  loadCredentialClass: () =>
    class OldCredential {
      getType(): string {
        return 'default';
      }
    },
}));

describe('createManagedClient with an @alicloud/credentials that ignores custom providers', () => {
  it('refuses to build a client that would sign with the default credential chain instead of the managed key', () => {
    const cache = new ManualCredentialProvider(credential('LTAI-OLD-CREDENTIALS'));
    expect(() => createManagedClient(Sts, new CoreConfig({ endpoint: '127.0.0.1:9', protocol: 'http' }), { secretName: 's', cacheClient: cache })).toThrow(
      expect.objectContaining({
        name: 'ManagedClientError',
        code: ManagedClientErrorCode.CredentialsPackageUnsupported,
        message: expect.stringContaining('@alicloud/credentials'),
      }),
    );
  });
});
