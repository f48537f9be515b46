import { describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { acquireSharedCacheClient, sharedCacheClientKeys } from '../../src/cache/shared-cache-client.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { VirtualClock } from '../support/virtual-clock.js';

function factory(source = new InMemorySecretSource()) {
  let created = 0;
  return {
    source,
    get created() {
      return created;
    },
    make: () => {
      created += 1;
      return new SecretCacheClient({ source, clock: new VirtualClock(), ownsSource: true });
    },
  };
}

describe('acquireSharedCacheClient', () => {
  it('shares one client per key and closes it when the last user releases it', async () => {
    const f = factory();
    const first = acquireSharedCacheClient('cfg-1', f.make);
    const second = acquireSharedCacheClient('cfg-1', f.make);
    expect(second.client).toBe(first.client);
    expect(f.created).toBe(1);
    expect(sharedCacheClientKeys()).toContain('cfg-1');

    await first.release();
    await first.release(); // idempotent: does not take the second user's reference
    expect(first.client.closed).toBe(false);
    await second.release();
    expect(first.client.closed).toBe(true);
    expect(f.source.closeCalls).toBe(1);
    expect(sharedCacheClientKeys()).not.toContain('cfg-1');

    const third = acquireSharedCacheClient('cfg-1', f.make);
    expect(third.client).not.toBe(first.client);
    expect(f.created).toBe(2);
    await third.release();
  });

  it('keeps clients of different keys apart', async () => {
    const f = factory();
    const a = acquireSharedCacheClient('cfg-a', f.make);
    const b = acquireSharedCacheClient('cfg-b', f.make);
    expect(a.client).not.toBe(b.client);
    await a.release();
    expect(b.client.closed).toBe(false);
    await b.release();
  });

  it('replaces a shared client that was closed directly', async () => {
    const f = factory();
    const a = acquireSharedCacheClient('cfg-c', f.make);
    await a.client.close();
    const b = acquireSharedCacheClient('cfg-c', f.make);
    expect(b.client).not.toBe(a.client);
    expect(b.client.closed).toBe(false);
    await a.release(); // the stale lease must not close the replacement
    expect(b.client.closed).toBe(false);
    await b.release();
    expect(b.client.closed).toBe(true);
  });

  it('registers nothing when the factory throws', () => {
    expect(() =>
      acquireSharedCacheClient('cfg-d', () => {
        throw new Error('bad config');
      }),
    ).toThrow('bad config');
    expect(sharedCacheClientKeys()).not.toContain('cfg-d');
  });
});
