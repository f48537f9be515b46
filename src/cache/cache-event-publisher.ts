import { channel, type Channel } from 'node:diagnostics_channel';
import type { EventEmitter } from 'node:events';
import { SECRET_CACHE_CHANNELS, type SecretCacheEvents } from './secret-cache-events.js';

const CHANNELS = Object.fromEntries(
  Object.entries(SECRET_CACHE_CHANNELS).map(([name, channelName]) => [name, channel(channelName)]),
) as Record<keyof SecretCacheEvents, Channel>;

/**
 * Publishes a cache event on its `node:diagnostics_channel` channel (tagged with the client id) and on the
 * client's EventEmitter. Background work calls this, so it never throws: an unobserved `error` is dropped
 * (EventEmitter would throw it) and a throwing listener becomes a process warning.
 */
export function publishCacheEvent<K extends keyof SecretCacheEvents>(
  emitter: EventEmitter<SecretCacheEvents>,
  clientId: string,
  name: K,
  payload: SecretCacheEvents[K][0],
): void {
  const diagnostics = CHANNELS[name];
  if (diagnostics.hasSubscribers) diagnostics.publish({ ...payload, client: clientId });
  if (name === 'error' && emitter.listenerCount('error') === 0) return;
  try {
    (emitter.emit as (event: string, payload: unknown) => boolean).call(emitter, name, payload);
  } catch (error) {
    process.emitWarning(error instanceof Error ? error : new Error(`a "${name}" listener of ${clientId} threw`), {
      code: 'SECRET_CACHE_LISTENER_ERROR',
    });
  }
}
