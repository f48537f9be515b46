import Sts from '@alicloud/sts20150401';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import { ManagedClientErrorCode } from '../../src/tea/managed-client-error.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { ManualCredentialProvider, credential } from '../support/manual-credential-provider.js';

// The generated client's default export, whichever way the loader hands it over.
// (ESM over a CommonJS package: the class is `.default` for TypeScript and Node, the namespace itself for vite.)
const StsClient = cjsDefaultExport<typeof Sts.default>(Sts);
const config = (extra: Record<string, unknown> = {}) => new $OpenApiUtil.Config({ endpoint: '127.0.0.1:9', protocol: 'http', ...extra });

let cache: ManualCredentialProvider;
beforeEach(() => {
  cache = new ManualCredentialProvider(credential('LTAI-OPTIONS-1'));
});

describe('createManagedClient options', () => {
  it.each(['accessKeyId', 'accessKeySecret', 'securityToken', 'bearerToken', 'credential'])(
    'refuses a config with its own %s (it would win over the managed key)',
    (field) => {
      expect(() => createManagedClient(StsClient, config({ [field]: 'own-value' }), { secretName: 's', cacheClient: cache })).toThrow(
        expect.objectContaining({
          name: 'ManagedClientError',
          code: ManagedClientErrorCode.InvalidOptions,
          message: expect.stringContaining(`"${field}"`),
        }),
      );
    },
  );

  it('refuses a missing secret name, a handler without judgeAKExpire, config together with cacheClient, and a non-class', () => {
    const cases: [() => unknown, string][] = [
      [() => createManagedClient(StsClient, config(), { secretName: '' }), '"secretName"'],
      [() => createManagedClient(StsClient, config(), { secretName: 's', cacheClient: cache, akExpireHandler: {} as never }), '"akExpireHandler"'],
      [() => createManagedClient(StsClient, config(), { secretName: 's', cacheClient: cache, config: { rotation_interval: 1 } }), '"config" and "cacheClient"'],
      [() => createManagedClient(undefined as unknown as typeof StsClient, config(), { secretName: 's', cacheClient: cache }), 'client class'],
      [() => createManagedClient(StsClient, undefined as never, { secretName: 's', cacheClient: cache }), 'config'],
    ];
    for (const [build, text] of cases) {
      expect(build).toThrow(expect.objectContaining({ code: ManagedClientErrorCode.InvalidOptions, message: expect.stringContaining(text) }));
    }
  });

  it('refuses a class that does not sign with config.credential', () => {
    class NotATeaClient {
      constructor(readonly config: object) {}
    }
    expect(() => createManagedClient(NotATeaClient, {}, { secretName: 's', cacheClient: cache })).toThrow(
      expect.objectContaining({ code: ManagedClientErrorCode.InvalidOptions, message: expect.stringContaining('config.credential') }),
    );
  });

  it('leaves the caller\'s config object unchanged', () => {
    const own = config();
    const client = createManagedClient(StsClient, own, { secretName: 's', cacheClient: cache });
    expect(own.credential).toBeUndefined();
    expect(client).toBeInstanceOf(StsClient);
  });

  it('shutdownManagedClient: calls afterwards reject with ManagedClient.Shutdown; a foreign client is NotManaged', async () => {
    const client = createManagedClient(StsClient, config(), { secretName: 's', cacheClient: cache });
    await shutdownManagedClient(client);
    await shutdownManagedClient(client); // idempotent
    await expect(client.getCallerIdentity()).rejects.toMatchObject({ name: 'ManagedClientError', code: ManagedClientErrorCode.Shutdown });
    expect(cache.getCalls).toBe(0);
    await expect(shutdownManagedClient(new StsClient(config({ accessKeyId: 'a', accessKeySecret: 'b' })))).rejects.toMatchObject({
      code: ManagedClientErrorCode.NotManaged,
    });
  });
});
