import { createHmac, randomBytes } from 'node:crypto';
import type { ProviderConfig } from './provider-config.js';

// Per-process key: identities are stable within the process (where caches are shared), and a logged identity
// cannot be used to test guesses of a password offline.
const IDENTITY_KEY = randomBytes(32);

/**
 * A stable identity string for `config`: equal configurations (including their secrets) get the same
 * identity within this process, so they can share one cache; a changed password or key gives a new one.
 * It is an HMAC over the canonical configuration, so no secret appears in it; `origins`, `warnings` and
 * `configFile` are left out (the same settings from another file are the same configuration).
 */
export function configIdentity(config: ProviderConfig): string {
  const canonical = canonicalJson({
    dkmsInstances: config.dkmsInstances.map((instance) => withSecrets(instance)),
    regions: config.regions,
    credentials: config.credentials === undefined ? null : withSecrets(config.credentials),
    cache: config.cache,
    secretNames: config.secretNames,
  });
  return `config-${createHmac('sha256', IDENTITY_KEY).update(canonical, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Own properties including the non-enumerable secret getters, minus `passwordSource`. */
function withSecrets(object: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(object)) {
    // Where a password came from does not change what the configuration connects to.
    if (name !== 'passwordSource') result[name] = (object as Record<string, unknown>)[name];
  }
  return result;
}

/** JSON with object keys sorted, so property order does not change the identity. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
