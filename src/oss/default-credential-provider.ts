import type { CredentialProvider } from '../credentials/credential-provider.js';
import { acquireDefaultCacheClient } from '../defaults/default-cache-client.js';

/** A shared credential provider and the function that gives the reference back. */
export interface AcquiredCredentialProvider {
  provider: CredentialProvider;
  release: () => Promise<void>;
}

/** The shared cache client of the loaded configuration, as a ProxyBucket without `cacheClient` uses it. */
export function acquireDefaultCredentialProvider(): AcquiredCredentialProvider {
  const lease = acquireDefaultCacheClient();
  return { provider: lease.client, release: lease.release };
}
