import { afterEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import { FailoverSecretSource } from '../../src/kms/failover/failover-secret-source.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { putRamKey, rotateRamKey } from './cache-fixture.js';

// The cache and the failover group together, in virtual time: a first source that keeps serving an old key (a
// KMS Agent inside its TTL, modelled by a store that is not rotated) and a direct source that has the new one.
const SECRET = 'oss-ram-ak';
let client: SecretCacheClient | undefined;
afterEach(async () => {
  await client?.close();
});

function setup() {
  const clock = new VirtualClock();
  const agentStore = new SecretStore({ clock });
  const kmsStore = new SecretStore({ clock });
  putRamKey(agentStore, SECRET, 'LTAI-OLD');
  putRamKey(kmsStore, SECRET, 'LTAI-OLD');
  const agent = new InMemorySecretSource(agentStore);
  const kms = new InMemorySecretSource(kmsStore);
  const source = new FailoverSecretSource({ sources: [agent, kms], clock, random: () => 0.5 });
  client = new SecretCacheClient({ source, clock, random: () => 0.5, ownsSource: true });
  return { clock, agentStore, kmsStore, agent, kms, client };
}

describe('a rejected key and a source that still serves it', () => {
  it('the forced refresh goes around it to the next source and gets the new key at once', async () => {
    const { kmsStore, agent, kms, client } = setup();
    expect((await client.getCredential(SECRET)).accessKeyId).toBe('LTAI-OLD');
    rotateRamKey(kmsStore, SECRET, 'LTAI-NEW'); // KMS has rotated; the agent still holds the old key

    const outcome = await client.refreshNow(SECRET, { staleAccessKeyId: 'LTAI-OLD' });
    expect(outcome).toMatchObject({ changed: true, via: 'fetched', credential: { accessKeyId: 'LTAI-NEW' } });
    expect([agent.callCount, kms.callCount]).toEqual([2, 1]); // the agent was asked first, then KMS once
  });

  it('without a rejection the first source answers alone, even with an old key', async () => {
    const { clock, kmsStore, agent, kms, client } = setup();
    await client.getCredential(SECRET);
    rotateRamKey(kmsStore, SECRET, 'LTAI-NEW');
    await clock.advance(7 * 3600_000); // past the regular refresh
    expect(agent.callCount).toBeGreaterThan(1);
    expect(kms.callCount).toBe(0);
    expect(client.peekCredential(SECRET)?.accessKeyId).toBe('LTAI-OLD');
  });

  it('with no other source, KMS confirms the rejected key (no change, the key is re-asked at the recovery pace)', async () => {
    const clock = new VirtualClock();
    const store = new SecretStore({ clock });
    putRamKey(store, SECRET, 'LTAI-OLD');
    const agent = new InMemorySecretSource(store);
    client = new SecretCacheClient({ source: new FailoverSecretSource({ sources: [agent], clock }), clock, random: () => 0.5, ownsSource: true });
    await client.getCredential(SECRET);
    const outcome = await client.refreshNow(SECRET, { staleAccessKeyId: 'LTAI-OLD' });
    expect(outcome).toMatchObject({ changed: false, credential: { accessKeyId: 'LTAI-OLD' } });
    expect(agent.callCount).toBe(2);
  });
});
