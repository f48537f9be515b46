import { ManagedClientError, ManagedClientErrorCode } from './managed-client-error.js';
import { managedClients } from './managed-clients.js';

/**
 * Releases a client built by {@link createManagedClient}: its reference to the shared cache (closing the cache
 * when this was its last user; a `cacheClient` or `CredentialsProviderCache` passed in is left open). Idempotent. Later calls of the client
 * reject with `ManagedClient.Shutdown`. A script may also just end: the cache's timers are unref'd.
 *
 * @throws ManagedClientError `ManagedClient.NotManaged` (as a rejection) when `client` was not built by
 *   `createManagedClient`
 */
export async function shutdownManagedClient(client: object): Promise<void> {
  const state = typeof client === 'object' && client !== null ? managedClients.get(client) : undefined;
  if (state === undefined) {
    throw new ManagedClientError(
      ManagedClientErrorCode.NotManaged,
      'shutdownManagedClient: this client was not built by createManagedClient',
    );
  }
  await state.provider.close();
  await state.release?.();
}
