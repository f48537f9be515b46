import { channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_CACHE_CHANNELS } from '../../src/cache/secret-cache-events.js';
import { CredentialsProviderCache } from '../../src/credentials/credentials-provider-cache.js';
import type { CredentialsProviderLike } from '../../src/credentials/credentials-provider-like.js';
import { VirtualClock } from '../support/virtual-clock.js';

// The unit on its own, over scripted providers and a virtual clock: how answers become credentials, what a bad
// answer gives, how often each shape is asked, and its events on the diagnostics channels.

const MINUTE = 60_000;
let clock: VirtualClock;
let cache: CredentialsProviderCache | undefined;

function over(provider: CredentialsProviderLike, options: { maxAgeMs?: number } = {}): CredentialsProviderCache {
  clock = new VirtualClock(Date.now());
  cache = new CredentialsProviderCache({ credentialsProvider: provider, clock, random: () => 0.5, ...options });
  return cache;
}

afterEach(async () => {
  await cache?.close();
  cache = undefined;
});

const SECRET = 'provider-secret-0123456789abcdef';

describe('CredentialsProviderCache answers', () => {
  it('an OSS-v2-style answer with expiration: id, token and expiry kept; asked again only ahead of the expiry', async () => {
    let calls = 0;
    const provider = {
      getCredentials: async () => {
        calls++;
        return { accessKeyId: `STS.${calls}`, accessKeySecret: SECRET, securityToken: `token-${calls}`, expiration: new Date(clock.now() + 60 * MINUTE) };
      },
    };
    const c = over(provider);
    const credential = await c.getCredential();
    expect(credential).toMatchObject({ accessKeyId: 'STS.1', securityToken: 'token-1', expiresAtMs: clock.now() + 60 * MINUTE });
    for (let i = 0; i < 1000; i++) expect(c.peekCredential()?.accessKeyId).toBe('STS.1');
    await clock.advance(50 * MINUTE);
    expect(calls).toBe(1); // not before the last 5 minutes
    await clock.advance(8 * MINUTE);
    expect(calls).toBe(2);
    expect(c.peekCredential()?.accessKeyId).toBe('STS.2');
  });

  it('accepts expiration as epoch ms or ISO 8601 text', async () => {
    const at = Date.now() + 30 * MINUTE;
    for (const expiration of [at, new Date(at).toISOString()]) {
      const c = over({ getCredentials: async () => ({ accessKeyId: 'STS.x', accessKeySecret: SECRET, expiration }) });
      expect((await c.getCredential()).expiresAtMs).toBe(at);
      await c.close();
    }
  });

  it('an @alicloud/credentials Credential shape (getCredential, no expiration): kept for maxAgeMs, then asked again', async () => {
    let calls = 0;
    const credential = { getCredential: async () => ({ accessKeyId: `LTAI.${++calls}`, accessKeySecret: SECRET, securityToken: undefined, type: 'access_key' }) };
    const c = over(credential, { maxAgeMs: 2 * MINUTE });
    expect((await c.getCredential()).accessKeyId).toBe('LTAI.1');
    expect(c.peekCredential()?.securityToken).toBeUndefined();
    await clock.advance(2 * MINUTE - 1);
    expect(calls).toBe(1);
    await clock.advance(12_001); // max age plus at most a tenth of it as jitter
    expect(calls).toBe(2);
    expect(c.peekCredential()?.accessKeyId).toBe('LTAI.2');
  });

  it.each([
    ['no accessKeyId', { accessKeySecret: SECRET }, 'answered no accessKeyId'],
    ['an empty accessKeySecret', { accessKeyId: 'AK', accessKeySecret: '' }, 'answered no accessKeySecret'],
    ['whitespace in the secret', { accessKeyId: 'AK', accessKeySecret: `${SECRET} x` }, 'accessKeySecret that contains whitespace'],
    ['a token that is no string', { accessKeyId: 'AK', accessKeySecret: SECRET, securityToken: 42 }, 'securityToken that is not a string'],
    ['an invalid expiration', { accessKeyId: 'AK', accessKeySecret: SECRET, expiration: new Date(Number.NaN) }, 'expiration that is not a valid Date'],
    ['null', null, 'answered null, not credentials'],
  ])('an answer with %s: KmsError Kms.CredentialsProviderFailed naming the field, never the values', async (_case, answer, message) => {
    const c = over({ getCredentials: async () => answer as never });
    const error = await c.getCredential().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ name: 'KmsError', code: 'Kms.CredentialsProviderFailed', retryable: true, message: expect.stringContaining(message) });
    expect(error!.message).not.toContain(SECRET);
  });

  it('a provider that throws synchronously is a failed ask too, its error the cause', async () => {
    const boom = new TypeError('bad config');
    const c = over({
      getCredentials: () => {
        throw boom;
      },
    });
    await expect(c.getCredential()).rejects.toMatchObject({ code: 'Kms.CredentialsProviderFailed', cause: boom, message: expect.stringContaining('(TypeError)') });
  });

  it('refreshNow after a rejection: one ask for concurrent callers, changed only when the provider answers another key', async () => {
    let calls = 0;
    let next = 'AK.1';
    const c = over({ getCredential: async () => (calls++, { accessKeyId: next, accessKeySecret: SECRET }) });
    await c.getCredential();
    next = 'AK.2';
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => c.refreshNow(undefined, { staleAccessKeyId: 'AK.1' })));
    expect(calls).toBe(2);
    expect(outcomes.every((o) => o.changed && o.credential.accessKeyId === 'AK.2')).toBe(true);
    // The provider keeps answering the rejected key (its own cache): not changed, nothing to retry with.
    const same = await c.refreshNow(undefined, { staleAccessKeyId: 'AK.2' });
    expect(same).toMatchObject({ changed: false });
  });
});

describe('CredentialsProviderCache events and options', () => {
  it('publishes refresh and rotate on the cache diagnostics channels (what enableOpenTelemetry subscribes to) and as events', async () => {
    let n = 0;
    const c = over({ getCredentials: async () => ({ accessKeyId: `STS.${++n}`, accessKeySecret: SECRET, expiration: new Date(clock.now() + 20 * MINUTE) }) });
    const published: unknown[] = [];
    const onRefresh = (message: unknown) => published.push(message);
    channel(SECRET_CACHE_CHANNELS.refresh).subscribe(onRefresh);
    const rotations: unknown[] = [];
    c.on('rotate', (event) => rotations.push(event));
    try {
      await c.getCredential();
      await clock.advance(19 * MINUTE);
      expect(published).toEqual([
        expect.objectContaining({ secretName: 'credentialsProvider', accessKeyId: 'STS.1', trigger: 'load', client: c.id }),
        expect.objectContaining({ secretName: 'credentialsProvider', accessKeyId: 'STS.2', trigger: 'scheduled', basis: 'expiry' }),
      ]);
      expect(rotations).toEqual([expect.objectContaining({ previousAccessKeyId: 'STS.1', accessKeyId: 'STS.2' })]);
    } finally {
      channel(SECRET_CACHE_CHANNELS.refresh).unsubscribe(onRefresh);
    }
  });

  it.each([
    ['credentialsProvider', { credentialsProvider: {} }, 'must have getCredentials()'],
    ['maxAgeMs', { credentialsProvider: { getCredential: async () => ({}) }, maxAgeMs: 10 }, 'maxAgeMs must be an integer number of ms >= 1000, got 10'],
    ['name', { credentialsProvider: { getCredential: async () => ({}) }, name: ' ' }, 'name must be a non-empty string'],
    ['fetchTimeoutMs', { credentialsProvider: { getCredential: async () => ({}) }, fetchTimeoutMs: -1 }, 'fetchTimeoutMs'],
  ])('a wrong %s: SecretCache.InvalidOption naming it', (option, options, message) => {
    expect(() => new CredentialsProviderCache(options as never)).toThrow(
      expect.objectContaining({ code: 'SecretCache.InvalidOption', option, message: expect.stringContaining(message) }),
    );
  });
});
