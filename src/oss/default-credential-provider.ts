import type { CredentialProvider } from '../credentials/credential-provider.js';
import { ProxyBucketError } from './proxy-bucket-error.js';

/** A shared credential provider and the function that gives the reference back. */
export interface AcquiredCredentialProvider {
  provider: CredentialProvider;
  release: () => unknown;
}

/**
 * The process-wide shared cache for the loaded configuration (reference counted). Until the
 * configuration module is wired in, a ProxyBucket needs an explicit `cacheClient`.
 */
export function acquireDefaultCredentialProvider(): AcquiredCredentialProvider {
  throw new ProxyBucketError(
    'ProxyBucket.InvalidOptions',
    'ProxyBucket needs a "cacheClient" option: loading the default configuration is not available yet',
  );
}
