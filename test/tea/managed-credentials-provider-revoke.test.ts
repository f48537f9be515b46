import * as CredentialsModule from '@alicloud/credentials';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import type { CredentialClass } from '../../src/tea/load-credential-class.js';
import { ManagedCredentialsProvider } from '../../src/tea/managed-credentials-provider.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalDkms, LocalOpenApi, type OpenApiCall } from '../../src/testing/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { CoreConfig, Sts } from './tea-sdk.js';

// Issue 19 #1: a Tea client built by hand, `new Credential(null, new ManagedCredentialsProvider(...))`, cannot
// tell the cache that the service rejected its key. The documented path is createManagedClient, which recovers;
// the hand-built form says what it lacks, once, where the user meets it. Real @alicloud/sts20150401 client,
// LocalOpenApi verifying signatures and revoking keys at run time; the real cache over an in-memory KMS, and once
// over LocalDkms through the shared cache a README user gets.
const SECRET = 'sts-ram-ak';
const WARNING_CODE = 'ALI_OSS_MC_UNMANAGED_TEA_CLIENT';
let api: LocalOpenApi;
let store: SecretStore;
let source: InMemorySecretSource;
let cache: SecretCacheClient;
let keyNumber = 0;
let currentKey: { accessKeyId: string; accessKeySecret: string };
let warnings: string[];
const logger = { warn: (message: string) => void warnings.push(message) };

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  keyNumber++;
  return { accessKeyId: `LTAI-REVOKE-${keyNumber}`, accessKeySecret: `revoke-secret-${keyNumber}-abcdefghijklmnopqrstuv` };
}

/** An emergency rotation: KMS serves a new key, the gateway forgets the old one at once. */
function rotateAndRevoke(): { accessKeyId: string } {
  const old = currentKey;
  currentKey = newKey();
  api.keys.add(currentKey);
  store.rotate(SECRET, currentKey);
  api.keys.revoke(old.accessKeyId);
  return old;
}

function config(extra: Record<string, unknown> = {}) {
  return new CoreConfig({ endpoint: api.host, protocol: 'http', readTimeout: 5_000, ...extra });
}

/** [AccessKeyId, status or error code] of each request the gateway received. */
function requestsSeen(): [string | undefined, number | string][] {
  return api.requests.entries().map((r) => [r.accessKeyId, r.errorCode ?? r.status]);
}

beforeAll(async () => {
  api = await LocalOpenApi.start({ product: 'Sts' });
  api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call: OpenApiCall) => ({
    RequestId: `req-${call.accessKeyId}`,
    AccountId: '1234567890',
    UserId: `user-of-${call.accessKeyId}`,
    Arn: 'acs:ram::1234567890:user/app',
    IdentityType: 'RAMUser',
  }));
});

afterAll(() => api.close());

beforeEach(() => {
  warnings = [];
  currentKey = newKey();
  api.keys.add(currentKey);
  store = new SecretStore();
  store.setRamCredential(SECRET, currentKey);
  source = new InMemorySecretSource(store);
  cache = new SecretCacheClient({ source });
});

afterEach(async () => {
  await cache.close();
  api.requests.clear();
});

describe('the documented Tea path (createManagedClient) across a revoke', () => {
  it('recovers: the rejected call is refreshed and retried with the new key, and no warning is given', async () => {
    const sts = createManagedClient(Sts, config(), { secretName: SECRET, cacheClient: cache, logger });
    try {
      const first = currentKey.accessKeyId;
      expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${first}`);
      rotateAndRevoke();
      expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
      expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
      expect(requestsSeen()).toEqual([
        [first, 200],
        [first, 'InvalidAccessKeyId.NotFound'],
        [currentKey.accessKeyId, 200],
        [currentKey.accessKeyId, 200],
      ]);
      expect(source.callCount).toBe(2); // the first load and one refresh for the rejection
      expect(warnings).toEqual([]);
    } finally {
      await shutdownManagedClient(sts);
    }
  });
});

describe("the README's Tea path as a user writes it: the shared cache, configured for a KMS instance (LocalDkms)", () => {
  it('recovers from a revoke with one KMS call, and gives no warning', async () => {
    const dkms = await LocalDkms.start();
    const dir = await mkdtemp(join(tmpdir(), 'tea-readme-path-'));
    try {
      dkms.setRamCredential(SECRET, currentKey);
      const files = await dkms.writeClientFiles(dir);
      const config = {
        cache_client_dkms_config_info: [
          { regionId: 'cn-hangzhou', endpoint: dkms.endpoint, clientKeyFile: files.clientKeyFile, passwordFromFilePath: files.passwordFile, caFilePath: files.caFile },
        ],
      };
      // As in the README: createManagedClient(Client, config, { secretName }), no cache of one's own.
      const sts = createManagedClient(Sts, new CoreConfig({ endpoint: api.host, protocol: 'http', readTimeout: 5_000 }), { secretName: SECRET, config, logger });
      try {
        const first = currentKey.accessKeyId;
        expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${first}`);
        const old = currentKey;
        currentKey = newKey();
        api.keys.add(currentKey);
        dkms.rotate(SECRET, currentKey);
        api.keys.revoke(old.accessKeyId);
        expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
        expect(requestsSeen()).toEqual([
          [first, 200],
          [first, 'InvalidAccessKeyId.NotFound'],
          [currentKey.accessKeyId, 200],
        ]);
        expect(dkms.getSecretValueCount(SECRET)).toBe(2);
        expect(warnings).toEqual([]);
      } finally {
        await shutdownManagedClient(sts);
      }
    } finally {
      await dkms.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a Tea client built by hand with new Credential(null, new ManagedCredentialsProvider(...))', () => {
  const Credential = cjsDefaultExport<CredentialClass>(CredentialsModule);

  it('warns once, on first use, naming createManagedClient, and then shows the gap it warned about after a revoke', async () => {
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache, logger });
    try {
      const sts = new Sts(config({ credential: new Credential(null, provider) }));
      expect(warnings).toEqual([]); // nothing read yet
      const first = currentKey.accessKeyId;
      expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${first}`);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^\\[${WARNING_CODE}\\] `));
      expect(warnings[0]).toContain(`secret "${SECRET}"`);
      expect(warnings[0]).toContain('createManagedClient(ClientClass, config, { secretName })');
      expect(warnings[0]).toContain('InvalidAccessKeyId');

      await sts.getCallerIdentity();
      expect(warnings).toHaveLength(1); // one-time

      // What the warning says: the provider never hears of the rejection, so the client stays on the old key
      // until the cache's next scheduled refresh (hours away).
      rotateAndRevoke();
      await expect(sts.getCallerIdentity()).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
      await expect(sts.getCallerIdentity()).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
      expect(requestsSeen().slice(-2)).toEqual([
        [first, 'InvalidAccessKeyId.NotFound'],
        [first, 'InvalidAccessKeyId.NotFound'],
      ]);
      expect(source.callCount).toBe(1);
      expect(warnings).toHaveLength(1);
    } finally {
      await provider.close();
    }
  });

  it('without a logger, gives the warning as a process warning with its code', async () => {
    // Captured, not printed into the test log.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache });
    try {
      const sts = new Sts(config({ credential: new Credential(null, provider) }));
      await sts.getCallerIdentity();
      await sts.getCallerIdentity();
      expect(emitWarning.mock.calls).toEqual([[expect.stringContaining('createManagedClient'), { code: WARNING_CODE }]]);
    } finally {
      emitWarning.mockRestore();
      await provider.close();
    }
  });

  it('a broken logger does not break the client: the warning falls back to the process', async () => {
    // Captured, not printed into the test log.
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const broken = { warn: () => { throw new Error('logger down'); } };
    const provider = new ManagedCredentialsProvider({ secretName: SECRET, cacheClient: cache, logger: broken });
    try {
      const sts = new Sts(config({ credential: new Credential(null, provider) }));
      expect((await sts.getCallerIdentity()).body?.userId).toBe(`user-of-${currentKey.accessKeyId}`);
      expect(emitWarning.mock.calls).toEqual([[expect.stringContaining('createManagedClient'), { code: WARNING_CODE }]]);
    } finally {
      emitWarning.mockRestore();
      await provider.close();
    }
  });
});
