import { afterEach } from 'vitest';
import { SecretCacheClient } from '../../src/cache/secret-cache-client.js';
import type { SecretCacheClientOptions } from '../../src/cache/secret-cache-options.js';
import type { SecretCacheEvents } from '../../src/cache/secret-cache-events.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { VirtualClock } from '../support/virtual-clock.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The AccessKey secret the fixtures give key `id`; tests assert it never shows up in output. */
export function secretOf(accessKeyId: string): string {
  return `Secret-${accessKeyId}-do-not-print-0123456789`;
}

const clients: SecretCacheClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** Events recorded from a client, by name. */
export type RecordedEvents = { [K in keyof SecretCacheEvents]: SecretCacheEvents[K][0][] };

/**
 * A SecretCacheClient in virtual time over an in-memory source; `random` is fixed at 0.5 unless given, so
 * jitter is half of `jitterMaxMs` and backoff delays are half their ceiling.
 */
export function createCache(options: Partial<SecretCacheClientOptions> = {}) {
  const clock = new VirtualClock();
  const store = new SecretStore({ clock });
  const source = new InMemorySecretSource(store);
  const client = new SecretCacheClient({ source, clock, random: () => 0.5, ...options });
  clients.push(client);
  const events: RecordedEvents = { refresh: [], rotate: [], error: [], stale: [], reject: [] };
  client.on('refresh', (event) => events.refresh.push(event));
  client.on('rotate', (event) => events.rotate.push(event));
  client.on('error', (event) => events.error.push(event));
  client.on('stale', (event) => events.stale.push(event));
  client.on('reject', (event) => events.reject.push(event));
  return { clock, store, source, client, events };
}

/** Stores a RAM user AccessKey secret `name` holding key `accessKeyId`. */
export function putRamKey(store: SecretStore, name: string, accessKeyId: string, rotationIntervalMs?: number): void {
  store.setRamCredential(name, {
    accessKeyId,
    accessKeySecret: secretOf(accessKeyId),
    ...(rotationIntervalMs === undefined ? {} : { rotationIntervalMs }),
  });
}

/** Rotates `name` to key `accessKeyId`. */
export function rotateRamKey(store: SecretStore, name: string, accessKeyId: string): void {
  store.rotate(name, { accessKeyId, accessKeySecret: secretOf(accessKeyId) });
}
