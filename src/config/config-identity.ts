import { createHash, createHmac, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { ProviderConfig } from './provider-config.js';
import { readFileUpTo } from './read-file-up-to.js';

// Per-process key: identities are stable within the process (where caches are shared), and a logged identity
// cannot be used to test guesses of a password offline.
const IDENTITY_KEY = randomBytes(32);

/** Largest file whose bytes go into the identity; ClientKey and CA files are a few KB. */
const MAX_HASHED_FILE_BYTES = 1024 * 1024;

/**
 * A stable identity string for `config`: equal configurations (including their secrets) get the same
 * identity within this process, so they can share one cache; a changed password or key gives a new one.
 *
 * The files a cache reads when it is built (ClientKey files, CA bundles) count by their current content,
 * not their path: after an operator replaces a ClientKey file in place, the next configuration loaded
 * gets a new identity and so a new client, instead of reusing the one built from the old key. The
 * password counts by its resolved value (so a replaced password file changes it too). Each call reads
 * those files (bounded, a few KB, no decryption).
 *
 * It is an HMAC over the canonical configuration, so no secret appears in it; `origins`, `warnings` and
 * `configFile` are left out (the same settings from another file are the same configuration).
 */
export function configIdentity(config: ProviderConfig): string {
  const canonical = canonicalJson({
    kmsAgents: config.kmsAgents,
    dkmsInstances: config.dkmsInstances.map((instance) => withSecrets(instance)),
    regions: config.regions,
    credentials: config.credentials === undefined ? null : withSecrets(config.credentials),
    cache: config.cache,
    secretNames: config.secretNames,
    fileContents: Object.fromEntries(filesReadAtBuild(config).map((path) => [path, fileContentDigest(path)])),
  });
  return `config-${createHmac('sha256', IDENTITY_KEY).update(canonical, 'utf8').digest('hex').slice(0, 32)}`;
}

/** The files `secretSourceFromConfig` reads when it builds the sources of `config`. */
function filesReadAtBuild(config: ProviderConfig): string[] {
  const paths: Array<string | undefined> = [];
  for (const instance of config.dkmsInstances) paths.push(instance.clientKeyFile, instance.caFilePath);
  for (const region of config.regions) paths.push(region.caFilePath);
  if (config.credentials?.type === 'client_key') paths.push(config.credentials.privateKeyPath);
  return [...new Set(paths.filter((path): path is string => path !== undefined))];
}

/**
 * SHA-256 of the file's bytes (it only feeds the HMAC). A file that cannot be read or is oversized gets a
 * marker instead: building the client reports the real problem, the identity only has to change.
 */
function fileContentDigest(path: string): string {
  try {
    const bytes = readFileUpTo(path, MAX_HASHED_FILE_BYTES);
    if (bytes !== undefined) return createHash('sha256').update(bytes).digest('hex');
    const stats = statSync(path, { bigint: true });
    return `oversized:${stats.size}:${stats.ino}:${stats.mtimeNs}`;
  } catch (error) {
    return `unreadable:${(error as NodeJS.ErrnoException).code ?? 'error'}`;
  }
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
