import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../../src/cache/secret-cache-client.js';
import type { SecretErrorEvent, SecretRefreshEvent } from '../../../src/cache/secret-cache-events.js';
import { clientKeyFromPem } from '../../../src/kms/dkms/client-key-loader.js';
import { DkmsSecretSource } from '../../../src/kms/dkms/dkms-secret-source.js';
import { LocalDkms } from '../../../src/testing/dkms/local-dkms.js';
import { SecretStore } from '../../../src/testing/secret-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SECRET = 'oss-ram-ak';

function secretOf(accessKeyId: string): string {
  return `secret-of-${accessKeyId}-0123456789abcdef`;
}

// The cache's schedule and the secret's rotation dates run in virtual time; the DKMS request signing and
// the emulator's date check use real time, as in production.
let virtual: VirtualClock;
let dkms: LocalDkms;
let client: SecretCacheClient;

beforeAll(async () => {
  virtual = new VirtualClock();
  dkms = await LocalDkms.start({ store: new SecretStore({ clock: virtual }) });
});

afterAll(async () => {
  await dkms.close();
});

beforeEach(() => {
  dkms.requests.length = 0;
  dkms.clearFaults();
  dkms.setRamCredential(SECRET, { accessKeyId: 'AK1', accessKeySecret: secretOf('AK1'), rotationIntervalMs: 7 * DAY });
  const source = new DkmsSecretSource({
    endpoint: dkms.endpoint,
    clientKey: clientKeyFromPem(dkms.clientKey.keyId, dkms.clientKey.privateKeyPem),
    ca: dkms.caBundlePem,
  });
  client = new SecretCacheClient({ source, ownsSource: true, clock: virtual, random: () => 0.5 });
});

afterEach(async () => {
  await client.close();
});

/** Moves virtual time to the next due timer and waits for the real fetch it starts to finish. */
async function runScheduledFetch<E extends 'refresh' | 'error'>(
  event: E,
): Promise<E extends 'refresh' ? SecretRefreshEvent : SecretErrorEvent> {
  const settled = once(client, event);
  await virtual.runNext();
  return (await settled)[0] as E extends 'refresh' ? SecretRefreshEvent : SecretErrorEvent;
}

describe('SecretCacheClient over LocalDkms (real TLS, signed requests)', () => {
  it('picks up a rotation at NextRotationDate + delay + jitter', async () => {
    dkms.store.setRotation(SECRET, { enabled: true, nextRotationDateMs: virtual.now() + 2 * HOUR });
    const rotationAt = virtual.now() + 2 * HOUR;
    expect((await client.getCredential(SECRET)).accessKeyId).toBe('AK1');
    expect(client.getStatus(SECRET)?.nextRefreshAtMs).toBe(rotationAt + 5 * MINUTE + 5 * MINUTE);

    await virtual.advance(2 * HOUR);
    dkms.rotate(SECRET, { accessKeyId: 'AK2', accessKeySecret: secretOf('AK2') });
    await virtual.advance(10 * MINUTE - 1);
    expect(dkms.getSecretValueCount(SECRET)).toBe(1);

    const rotated = once(client, 'rotate');
    const refresh = await runScheduledFetch('refresh');
    expect(refresh).toMatchObject({ trigger: 'scheduled', accessKeyId: 'AK2', changed: true });
    expect((await rotated)[0]).toMatchObject({ previousAccessKeyId: 'AK1', accessKeyId: 'AK2' });
    expect(client.peekCredential(SECRET)?.accessKeySecret).toBe(secretOf('AK2'));
    expect(dkms.getSecretValueCount(SECRET)).toBe(2);
  });

  it('serves the last good key through an outage and recovers after it', async () => {
    const good = await client.getCredential(SECRET);
    dkms.injectFault({ kind: 'serviceUnavailable' }, { times: Infinity });

    const failure = await runScheduledFetch('error');
    expect(failure).toMatchObject({ trigger: 'scheduled', servingStale: true, consecutiveFailures: 1 });
    expect(failure.error).toMatchObject({ code: 'ServiceUnavailableTemporary', httpStatus: 503 });
    const stale = once(client, 'stale');
    expect(await client.getCredential(SECRET)).toBe(good);
    expect((await stale)[0]).toMatchObject({ accessKeyId: 'AK1' });

    const retryFailure = await runScheduledFetch('error');
    expect(retryFailure).toMatchObject({ trigger: 'retry', consecutiveFailures: 2 });
    expect(client.peekCredential(SECRET)).toBe(good);

    dkms.clearFaults();
    dkms.rotate(SECRET, { accessKeyId: 'AK2', accessKeySecret: secretOf('AK2') });
    const recovered = await runScheduledFetch('refresh');
    expect(recovered).toMatchObject({ trigger: 'retry', accessKeyId: 'AK2' });
    expect(client.getStatus(SECRET)).toMatchObject({ state: 'fresh', consecutiveFailures: 0 });
    expect(dkms.getSecretValueCount(SECRET)).toBe(4);
  });

  it('turns 100 concurrent getCredential calls on a cold cache into exactly one GetSecretValue', async () => {
    const credentials = await Promise.all(Array.from({ length: 100 }, () => client.getCredential(SECRET)));
    expect(new Set(credentials.map((c) => c.accessKeyId))).toEqual(new Set(['AK1']));
    expect(new Set(credentials).size).toBe(1);
    expect(dkms.getSecretValueCount(SECRET)).toBe(1);
  });

  it('turns 100 concurrent refreshNow calls with the same stale key into exactly one GetSecretValue', async () => {
    await client.getCredential(SECRET);
    await virtual.advance(10_000); // beyond the recovery pace's minimum interval after that answer
    dkms.rotate(SECRET, { accessKeyId: 'AK2', accessKeySecret: secretOf('AK2') });
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () => client.refreshNow(SECRET, { staleAccessKeyId: 'AK1' })),
    );
    expect(dkms.getSecretValueCount(SECRET)).toBe(2);
    expect(outcomes.every((o) => o.changed && o.credential.accessKeyId === 'AK2')).toBe(true);
    expect(outcomes.map((o) => o.via).sort()).toEqual(['fetched', ...Array<string>(99).fill('joined')].sort());
  });
});
