import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import type { Clock } from '../../src/runtime/clock.js';
import { describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { SecretCacheError, SecretCacheErrorCode } from '../../src/cache/secret-cache-error.js';
import { SECRET_CACHE_CHANNELS } from '../../src/cache/secret-cache-events.js';
import { systemClock } from '../../src/runtime/clock.js';
import { fingerprint } from '../../src/runtime/fingerprint.js';
import { InMemorySecretSource, unavailable } from '../support/in-memory-secret-source.js';
import { createCache, HOUR, putRamKey, rotateRamKey, secretOf } from './cache-fixture.js';

describe('SecretCacheClient: close', () => {
  it('clears every timer, is idempotent, and rejects later calls with SecretCache.Closed', async () => {
    const { client, store, clock, source } = createCache();
    putRamKey(store, 'a', 'AKA');
    putRamKey(store, 'b', 'AKB');
    await client.getCredential('a');
    await client.getCredential('b');
    expect(clock.pendingTimers).toBe(2);
    const first = client.close();
    expect(client.close()).toBe(first);
    await first;
    await client[Symbol.asyncDispose]();
    expect(client.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(source.closeCalls).toBe(0); // not owned by default

    for (const call of [() => client.getCredential('a'), () => client.getSecretInfo('a'), () => client.refreshNow('a')]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretCacheError);
      expect(error).toMatchObject({ code: SecretCacheErrorCode.Closed, secretName: 'a' });
    }
    expect(client.peekCredential('a')).toBeUndefined();
    await clock.advance(30 * HOUR);
    expect(source.callCount).toBe(2);
  });

  it('aborts a running fetch: its waiters reject with SecretCache.Closed and the source sees the abort', async () => {
    const { client, store, source } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    source.hold();
    const waiting = client.getCredential('oss-ak');
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.inFlight).toBe(1);
    await client.close();
    expect(source.inFlight).toBe(0);
    await expect(waiting).rejects.toMatchObject({ code: SecretCacheErrorCode.Closed });
  });

  it('closes the source when it owns it, once', async () => {
    const source = new InMemorySecretSource();
    const client = new SecretCacheClient({ source, ownsSource: true });
    await Promise.all([client.close(), client.close()]);
    expect(source.closeCalls).toBe(1);
  });

  it('holds the process open only while a caller waits: afterwards every timer left is unref\'d', async () => {
    const source = new InMemorySecretSource();
    putRamKey(source.store, 'oss-ak', 'AK1');
    const handles: NodeJS.Timeout[] = [];
    const spyingClock: Clock = {
      ...systemClock,
      setTimeout: (callback, delayMs, options) => {
        const handle = systemClock.setTimeout(callback, delayMs, options) as NodeJS.Timeout;
        handles.push(handle);
        return handle;
      },
    };
    const client = new SecretCacheClient({ source, clock: spyingClock });
    const release = source.hold();
    try {
      const waiting = client.getCredential('oss-ak');
      // The caller's wait is ref'd (a script awaiting it must not exit); the schedule is not.
      expect(handles.filter((h) => h.hasRef())).toHaveLength(1);
      release();
      await waiting;
      const pending = handles.filter((h) => (h as unknown as { _destroyed: boolean })._destroyed === false);
      expect(pending.length).toBeGreaterThan(0); // the scheduled refresh
      expect(pending.every((h) => !h.hasRef())).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('SecretCacheClient: redaction', () => {
  it('prints a summary (names, key ids, fingerprints, states) and never a secret', async () => {
    const { client, store } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    store.setSecret('db', { secretData: 'generic-secret-data-value' });
    const credential = await client.getCredential('oss-ak');
    await client.getSecretInfo('db');
    const outputs = [String(client), JSON.stringify(client), inspect(client, { depth: 10, showHidden: true })];
    for (const text of outputs) {
      expect(text).not.toContain(secretOf('AK1'));
      expect(text).not.toContain('generic-secret-data-value');
    }
    const json = JSON.parse(JSON.stringify(client)) as { secrets: Record<string, unknown>[] };
    expect(json.secrets).toEqual([
      expect.objectContaining({ secretName: 'oss-ak', state: 'fresh', accessKeyId: 'AK1', fingerprint: credential.fingerprint }),
      expect.objectContaining({ secretName: 'db', state: 'fresh', fingerprint: fingerprint('generic-secret-data-value') }),
    ]);
    expect(json.secrets[1]).not.toHaveProperty('accessKeyId');
    expect(outputs[2]).toContain('oss-ak');
    expect(outputs[2]).toContain('AK1');
    expect(outputs[0]).toMatch(/^SecretCacheClient\(secret-cache-\d+, source in-memory, 2 secrets\)$/);
  });
});

describe('SecretCacheClient: diagnostics channels', () => {
  it('publishes refresh, rotate, error and stale with the client id and no secret', async () => {
    const { client, store, source, clock } = createCache({ rotationIntervalMs: HOUR, jitterMaxMs: 0 });
    const messages: { channel: string; message: Record<string, unknown> }[] = [];
    const listeners = Object.values(SECRET_CACHE_CHANNELS).map((name) => {
      const listener = (message: unknown) => messages.push({ channel: name, message: message as Record<string, unknown> });
      subscribe(name, listener);
      return [name, listener] as const;
    });
    try {
      putRamKey(store, 'oss-ak', 'AK1');
      await client.getCredential('oss-ak');
      rotateRamKey(store, 'oss-ak', 'AK2');
      await clock.advance(HOUR);
      source.goDown(unavailable());
      await clock.advance(HOUR);
      await client.getCredential('oss-ak');
    } finally {
      for (const [name, listener] of listeners) unsubscribe(name, listener);
    }
    expect(messages.map((m) => m.channel)).toEqual([
      SECRET_CACHE_CHANNELS.refresh,
      SECRET_CACHE_CHANNELS.refresh,
      SECRET_CACHE_CHANNELS.rotate,
      SECRET_CACHE_CHANNELS.error,
      SECRET_CACHE_CHANNELS.stale,
    ]);
    expect(messages.every((m) => m.message.client === client.id && m.message.secretName === 'oss-ak')).toBe(true);
    expect(messages[2]?.message).toMatchObject({ previousAccessKeyId: 'AK1', accessKeyId: 'AK2' });
    const text = inspect(messages, { depth: 10, showHidden: true });
    expect(text).not.toContain(secretOf('AK1'));
    expect(text).not.toContain(secretOf('AK2'));
  });
});
