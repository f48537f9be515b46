import * as CredentialsModule from '@alicloud/credentials';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsProviderCache } from '../../src/credentials/credentials-provider-cache.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { cjsDefaultExport } from '../../src/runtime/cjs-default-export.js';
import { systemClock } from '../../src/runtime/clock.js';
import { createManagedClient } from '../../src/tea/create-managed-client.js';
import type { CredentialClass } from '../../src/tea/load-credential-class.js';
import { shutdownManagedClient } from '../../src/tea/shutdown-managed-client.js';
import { LocalOpenApi, LocalOss, type OpenApiCall } from '../../src/testing/index.js';
import { ScriptedHttpServer } from '../support/scripted-http-server.js';
import { leaksIn } from '../support/secret-scanner.js';
import { CoreConfig, Sts } from '../tea/tea-sdk.js';
import { StsIssuer, stsSecretOf, stsTokenOf } from './sts-issuer.js';

// Issue 20 with the real packages: an @alicloud/credentials Credential (its credentials-URI provider, as the
// default chain uses on hosts that serve one) drives a ProxyBucket against LocalOss; a Tea client
// (@alicloud/sts20150401) over a credentialsProvider against LocalOpenApi; both over one provider share one cache.

const Credential = cjsDefaultExport<CredentialClass>(CredentialsModule) as unknown as new (config: Record<string, unknown>) => {
  getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
};
const BUCKET = 'credential-bucket';
let oss: LocalOss;
let api: LocalOpenApi;
let uri: ScriptedHttpServer;
/** The token the credentials URI serves. */
let served: string;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET] });
  api = await LocalOpenApi.start({ product: 'Sts' });
  api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call: OpenApiCall) => ({
    RequestId: `req-${call.accessKeyId}`,
    AccountId: '1234567890',
    UserId: `user-of-${call.accessKeyId}`,
    Arn: 'acs:ram::1234567890:role/app',
    IdentityType: 'AssumedRoleUser',
  }));
  uri = await ScriptedHttpServer.start();
  // The credentials URI answers the current token; its Expiration is near, so the Credential re-reads the URI
  // whenever asked (its own cache keeps a token until 15 min before expiry).
  uri.answer = () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      Code: 'Success',
      AccessKeyId: served,
      AccessKeySecret: stsSecretOf(served),
      SecurityToken: stsTokenOf(served),
      Expiration: new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    }),
  });
});

afterAll(async () => {
  await Promise.all([oss.close(), api.close(), uri.stop()]);
});

function serveToken(accessKeyId: string): void {
  served = accessKeyId;
  oss.keys.add({ accessKeyId, accessKeySecret: stsSecretOf(accessKeyId), securityToken: stsTokenOf(accessKeyId) });
}

describe('an @alicloud/credentials Credential as credentialsProvider', () => {
  it('drives a ProxyBucket: asked once, not per call; a revoke at OSS is replaced with one ask and the call retried', async () => {
    serveToken('STS.uri-1');
    const credential = new Credential({ type: 'credentials_uri', credentialsURI: `http://${uri.hostPort}/credentials` });
    const bucket = new ProxyBucket({ credentialsProvider: credential, ...oss.clientOptions(BUCKET) });
    try {
      const asksBefore = uri.requestCount;
      for (let i = 0; i < 20; i++) await bucket.put(`a-${i}.txt`, Buffer.from(`a ${i}`));
      expect(uri.requestCount - asksBefore).toBe(1); // kept, not asked per call
      expect(bucket.accessKeyId).toBe('STS.uri-1');

      serveToken('STS.uri-2');
      oss.keys.revoke('STS.uri-1');
      await Promise.all(Array.from({ length: 10 }, (_, i) => bucket.put(`b-${i}.txt`, Buffer.from(`b ${i}`))));
      expect(uri.requestCount - asksBefore).toBe(2); // one ask for all ten rejected calls
      expect(oss.requests.last()).toMatchObject({ accessKeyId: 'STS.uri-2', status: 200 });
      expect(oss.getObject(BUCKET, 'b-9.txt')?.body.toString()).toBe('b 9');
    } finally {
      await bucket.shutdown();
    }
  });

  it('is re-asked after the max age even when nothing was rejected (its token may have been refreshed by itself)', async () => {
    serveToken('STS.uri-age-1');
    const credential = new Credential({ type: 'credentials_uri', credentialsURI: `http://${uri.hostPort}/credentials` });
    const cache = new CredentialsProviderCache({ credentialsProvider: credential, maxAgeMs: 1000, random: () => 0 });
    const bucket = new ProxyBucket({ credentialsProvider: cache, ...oss.clientOptions(BUCKET) });
    try {
      await bucket.put('age-1.txt', Buffer.from('1'));
      serveToken('STS.uri-age-2');
      const until = systemClock.monotonicNow() + 5000;
      while (bucket.accessKeyId !== 'STS.uri-age-2' && systemClock.monotonicNow() < until) await new Promise((r) => setTimeout(r, 50));
      expect(bucket.accessKeyId).toBe('STS.uri-age-2');
      await bucket.put('age-2.txt', Buffer.from('2'));
      expect(oss.requests.last()).toMatchObject({ accessKeyId: 'STS.uri-age-2', status: 200 });
    } finally {
      await bucket.shutdown();
      await cache.close();
    }
  });
});

describe('a Tea client over a credentialsProvider', () => {
  it('@alicloud/sts20150401: signs with the token, recovers from a revoke with one ask, and shares the provider cache with a ProxyBucket', async () => {
    const issuer = new StsIssuer([api.keys, oss.keys], systemClock, 60 * 60_000);
    const sts = createManagedClient(Sts, new CoreConfig({ endpoint: api.host, protocol: 'http', readTimeout: 5_000 }), {
      credentialsProvider: issuer,
    });
    const bucket = new ProxyBucket({ credentialsProvider: issuer, ...oss.clientOptions(BUCKET) });
    try {
      expect((await sts.getCallerIdentity()).body?.userId).toBe('user-of-STS.token-1');
      await bucket.put('shared.txt', Buffer.from('shared'));
      expect(oss.requests.last()).toMatchObject({ accessKeyId: 'STS.token-1', status: 200 });
      expect(issuer.calls).toBe(1); // one cache for both clients over the same provider

      api.keys.revoke('STS.token-1');
      const identities = await Promise.all(Array.from({ length: 5 }, () => sts.getCallerIdentity()));
      expect(identities.map((r) => r.body?.userId)).toEqual(Array(5).fill('user-of-STS.token-2'));
      expect(issuer.calls).toBe(2);
      await bucket.put('shared-2.txt', Buffer.from('2'));
      expect(oss.requests.last()).toMatchObject({ accessKeyId: 'STS.token-2', status: 200 });
      expect(api.requests.entries().filter((r) => r.accessKeyId === 'STS.token-1').map((r) => r.errorCode ?? r.status)).toContain(200);
    } finally {
      await shutdownManagedClient(sts);
      await bucket.shutdown();
    }
    // The last user released the shared cache: a new client over the provider asks it again.
    const again = new ProxyBucket({ credentialsProvider: issuer, ...oss.clientOptions(BUCKET) });
    try {
      await again.ready();
      expect(issuer.calls).toBe(3);
    } finally {
      await again.shutdown();
    }
  });

  it('takes exactly one of secretName and credentialsProvider', () => {
    const issuer = new StsIssuer([], systemClock, 60_000);
    const config = new CoreConfig({ endpoint: api.host, protocol: 'http' });
    expect(() => createManagedClient(Sts, config, { secretName: 's', credentialsProvider: issuer } as never)).toThrow(
      expect.objectContaining({ code: 'ManagedClient.InvalidOptions', message: expect.stringContaining('exactly one of the options "secretName"') }),
    );
    expect(() => createManagedClient(Sts, config, {} as never)).toThrow(expect.objectContaining({ message: expect.stringContaining('"credentialsProvider"') }));
    expect(() => createManagedClient(Sts, config, { credentialsProvider: issuer, config: {} } as never)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('option "config" is not allowed with "credentialsProvider"') }),
    );
    expect(() => createManagedClient(Sts, config, { credentialsProvider: { token: 'x' } } as never)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('must have getCredentials()') }),
    );
  });
});

describe('ProxyBucket options with credentialsProvider', () => {
  const issuer = new StsIssuer([], systemClock, 60_000);
  it.each([
    ['both', { secretName: 's', credentialsProvider: issuer }, 'exactly one of the options "secretName" (a managed RAM credential in KMS) and "credentialsProvider"'],
    ['neither', {}, 'exactly one of the options "secretName"'],
    ['with cacheClient', { credentialsProvider: issuer, cacheClient: {} }, 'option "cacheClient" is not allowed with "credentialsProvider"'],
    ['with config', { credentialsProvider: issuer, config: {} }, 'option "config" is not allowed with "credentialsProvider"'],
    ['not a provider', { credentialsProvider: { accessKeyId: 'AK' } }, 'option "credentialsProvider" must have getCredentials()'],
    ['with a static key', { credentialsProvider: issuer, accessKeyId: 'AK' }, 'option "accessKeyId" is not allowed: the AccessKey comes from the credentialsProvider'],
  ])('%s: ProxyBucket.InvalidOptions naming them', (_case, options, message) => {
    expect(() => new ProxyBucket({ ...oss.clientOptions(BUCKET), ...options } as never)).toThrow(
      expect.objectContaining({ name: 'ProxyBucketError', code: 'ProxyBucket.InvalidOptions', message: expect.stringContaining(message) }),
    );
  });
});

describe('secrets over a credentialsProvider', () => {
  it('never appear in errors, events, toJSON or util.inspect of the bucket and the cache', async () => {
    const secret = 'very-secret-access-key-secret-0123456789';
    const token = 'very-secret-security-token-abcdefghijklmnop';
    oss.keys.add({ accessKeyId: 'STS.hygiene', accessKeySecret: secret, securityToken: token });
    let answer: Record<string, unknown> = { accessKeyId: 'STS.hygiene', accessKeySecret: secret, securityToken: token };
    const provider = { getCredentials: async () => answer as never };
    const cache = new CredentialsProviderCache({ credentialsProvider: provider });
    const events: unknown[] = [];
    cache.on('refresh', (e) => events.push(e)).on('error', (e) => events.push(e));
    const bucket = new ProxyBucket({ credentialsProvider: cache, ...oss.clientOptions(BUCKET) });
    try {
      await bucket.put('h.txt', Buffer.from('h'));
      oss.keys.revoke('STS.hygiene');
      // A provider answer without an id (but with the secret and token) must not be echoed.
      answer = { accessKeySecret: secret, securityToken: token, expiration: 'not a date' };
      const error = await bucket.put('h2.txt', Buffer.from('h2')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'InvalidAccessKeyId' });
      expect(String((error as Error).message)).toContain('Kms.CredentialsProviderFailed');
      // A first answer with an unusable field: the error names the field, never the values around it.
      const other = new CredentialsProviderCache({
        credentialsProvider: { getCredentials: async () => ({ accessKeyId: 'STS.hygiene-2', accessKeySecret: secret, securityToken: token, expiration: 'soon' }) },
      });
      const invalidExpiration = await other.getCredential().then(
        () => undefined,
        (e: unknown) => e,
      );
      await other.close();
      expect(invalidExpiration).toMatchObject({ code: 'Kms.CredentialsProviderFailed', message: expect.stringContaining('expiration that is not a valid Date') });
      const secrets = [
        { label: 'AccessKeySecret', value: secret },
        { label: 'SecurityToken', value: token },
      ];
      for (const [where, value] of Object.entries({ error, invalidExpiration, events, bucket, cache, status: cache.getStatus() })) {
        expect(leaksIn(where, value, secrets)).toEqual([]);
      }
      expect(inspect(cache)).toContain('STS.hygiene');
    } finally {
      await bucket.shutdown();
      await cache.close();
    }
  });
});
