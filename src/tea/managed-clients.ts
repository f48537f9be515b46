import type { ManagedCredentialsProvider } from './managed-credentials-provider.js';

/** What `shutdownManagedClient` needs to know about a client built by `createManagedClient`. */
export interface ManagedClientState {
  readonly provider: ManagedCredentialsProvider;
  /** Gives back the shared cache of a `credentialsProvider`, if the client was built over one. */
  readonly release?: () => Promise<void>;
}

/** The clients built by `createManagedClient`; weak, so a dropped client and its state are collected. */
export const managedClients = new WeakMap<object, ManagedClientState>();

/**
 * The providers `createManagedClient` created for its clients: they are read only through its managed request
 * methods (which report rejected keys), so they give no "unmanaged client" warning.
 */
export const managedProviders = new WeakSet<ManagedCredentialsProvider>();
