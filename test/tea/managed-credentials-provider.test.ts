import * as CredentialsModule from '@alicloud/credentials';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import type { CredentialClass } from '../../src/tea/load-credential-class.js';
import { ManagedClientErrorCode } from '../../src/tea/managed-client-error.js';
import { ManagedCredentialsProvider } from '../../src/tea/managed-credentials-provider.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';

const SECRET = 'tea-ram-ak';
const KEY_1 = { accessKeyId: 'LTAI-TEA-PROVIDER-1', accessKeySecret: 'tea-provider-secret-1-abcdefghijkl' };
const KEY_2 = { accessKeyId: 'LTAI-TEA-PROVIDER-2', accessKeySecret: 'tea-provider-secret-2-abcdefghijkl' };

let store: SecretStore;
let source: InMemorySecretSource;
let cache: SecretCacheClient;
let emitWarning: MockInstance<typeof process.emitWarning>;

beforeEach(() => {
  // These providers are read directly, not through createManagedClient: their one-time "unmanaged client"
  // warning is captured here (and checked in managed-credentials-provider-revoke.test.ts), not printed.
  emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  store = new SecretStore();
  store.setRamCredential(SECRET, KEY_1);
  source = new InMemorySecretSource(store);
  cache = new SecretCacheClient({ source });
});

afterEach(async () => {
  for (const [, options] of emitWarning.mock.calls) expect(options).toEqual({ code: 'ALI_OSS_MC_UNMANAGED_TEA_CLIENT' });
  emitWarning.mockRestore();
  await cache.close();
});

describe('ManagedCredentialsProvider', () => {
  it('is an @alicloud/credentials custom provider whose Credential hands out the cache key', async () => {
    const Credential = cjsDefaultExport<CredentialClass>(CredentialsModule);
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache });
    const credential = new Credential(null, provider);
    expect(credential.getType()).toBe('managed_credentials');
    const model = await credential.getCredential();
    expect(model).toMatchObject({ ...KEY_1, type: 'managed_credentials', providerName: 'managed_credentials' });
    expect(model.securityToken).toBeUndefined();
  });

  it('gives one consistent id/secret triple per call, following a rotation', async () => {
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache });
    const first = await provider.getCredentials();
    expect([first.accessKeyId, first.accessKeySecret]).toEqual([KEY_1.accessKeyId, KEY_1.accessKeySecret]);
    store.rotate(SECRET, KEY_2);
    await cache.refreshNow(SECRET, { staleAccessKeyId: KEY_1.accessKeyId });
    const second = await provider.getCredentials();
    expect([second.accessKeyId, second.accessKeySecret]).toEqual([KEY_2.accessKeyId, KEY_2.accessKeySecret]);
    expect(provider.accessKeyId).toBe(KEY_2.accessKeyId);
    expect(source.callCount).toBe(2);
  });

  it('keeps the secret out of JSON, util.inspect and String of itself and of the credentials it returns', async () => {
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache });
    const credentials = await provider.getCredentials();
    for (const shown of [
      JSON.stringify(provider),
      inspect(provider, { depth: 10, showHidden: true }),
      String(provider),
      JSON.stringify(credentials),
      inspect(credentials, { depth: 10 }),
      JSON.stringify({ ...credentials }),
    ]) {
      expect(shown).not.toContain(KEY_1.accessKeySecret);
    }
    expect(JSON.stringify(provider)).toContain(KEY_1.accessKeyId);
  });

  it('close() leaves a cacheClient it was given open and makes later calls fail with ManagedClient.Shutdown', async () => {
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache });
    await provider.getCredentials();
    await provider.close();
    await provider.close(); // idempotent
    expect(provider.closed).toBe(true);
    expect(cache.closed).toBe(false);
    await expect(provider.getCredentials()).rejects.toMatchObject({ name: 'ManagedClientError', code: ManagedClientErrorCode.Shutdown });
  });

  it('rejects invalid options with ManagedClient.InvalidOptions naming the option', () => {
    const cases: [unknown, string][] = [
      [undefined, 'options must be an object'],
      [{ secretName: ' ' }, '"secretName"'],
      [{ secretName: SECRET, cacheClient: {} }, '"cacheClient"'],
      [{ secretName: SECRET, cacheClient: cache, config: { rotation_interval: 1 } }, '"config" and "cacheClient"'],
      [{ secretName: SECRET, cacheClient: cache, logger: {} }, '"logger"'],
    ];
    for (const [options, text] of cases) {
      expect(() => new ManagedCredentialsProvider(options as never)).toThrow(
        expect.objectContaining({ name: 'ManagedClientError', code: ManagedClientErrorCode.InvalidOptions, message: expect.stringContaining(text) }),
      );
    }
  });
});
