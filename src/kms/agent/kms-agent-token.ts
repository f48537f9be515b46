import { open } from 'node:fs/promises';
import { KmsError, KmsErrorCode } from '../kms-error.js';

/**
 * Where a KMS Agent client takes the `X-KMS-Token` from: a file, an environment variable (its value, or
 * `file://<path>`), or, unset, the agent's own order: `KMS_TOKEN`, `KMS_SESSION_TOKEN`,
 * `KMS_CONTAINER_AUTHORIZATION_TOKEN`, then the file `/var/run/kmstoken` the agent writes when it starts.
 */
export type KmsAgentTokenSource = { readonly fromFilePath: string } | { readonly fromEnvVariable: string } | undefined;

/** The environment variables the KMS Agent reads its token from, in its order. */
export const KMS_AGENT_TOKEN_ENV_VARIABLES = ['KMS_TOKEN', 'KMS_SESSION_TOKEN', 'KMS_CONTAINER_AUTHORIZATION_TOKEN'] as const;
/** The file the KMS Agent writes its token to when no variable gives one. */
export const DEFAULT_KMS_AGENT_TOKEN_FILE = '/var/run/kmstoken';

/** Largest token file read; a token is a few dozen bytes. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/** A token read for one request, and where it came from (for messages: never the token itself). */
export interface KmsAgentToken {
  /** Secret. */
  readonly value: string;
  /** E.g. `file /var/run/kmstoken` or `env KMS_TOKEN`. */
  readonly origin: string;
}

/**
 * Reads the token now (per request, so a token file the agent rewrote on restart is picked up at once).
 *
 * @param source - where to read it; `undefined`: the agent's own order
 * @param places - the environment, and the file tried last in the agent's own order (default `/var/run/kmstoken`)
 * @param description - the source's description, for errors
 * @throws KmsError `Kms.AgentTokenUnavailable` (not retryable) naming every place looked at, never a value
 */
export async function readKmsAgentToken(
  source: KmsAgentTokenSource,
  places: { readonly env: Readonly<Record<string, string | undefined>>; readonly defaultTokenFile?: string },
  description: string,
): Promise<KmsAgentToken> {
  const { env } = places;
  const defaultFile = places.defaultTokenFile ?? DEFAULT_KMS_AGENT_TOKEN_FILE;
  const unavailable = (detail: string) =>
    new KmsError(`${description}: no KMS Agent token: ${detail}`, { code: KmsErrorCode.AgentTokenUnavailable, retryable: false, source: description });
  if (source !== undefined && 'fromFilePath' in source) {
    const read = await readTokenFile(source.fromFilePath);
    if (typeof read === 'string') return { value: read, origin: `file ${source.fromFilePath}` };
    throw unavailable(`tokenFromFilePath ${source.fromFilePath} ${read.problem}`);
  }
  if (source !== undefined) {
    const token = await fromVariable(source.fromEnvVariable, env);
    if (typeof token !== 'string' && token !== undefined) throw unavailable(`tokenFromEnvVariable ${token.problem}`);
    if (token === undefined) throw unavailable(`the environment variable ${source.fromEnvVariable} (tokenFromEnvVariable) is not set`);
    return { value: token, origin: `env ${source.fromEnvVariable}` };
  }
  const problems: string[] = [];
  for (const name of KMS_AGENT_TOKEN_ENV_VARIABLES) {
    const token = await fromVariable(name, env);
    if (typeof token === 'string') return { value: token, origin: `env ${name}` };
    if (token !== undefined) problems.push(token.problem);
  }
  const read = await readTokenFile(defaultFile);
  if (typeof read === 'string') return { value: read, origin: `file ${defaultFile}` };
  throw unavailable(
    `none of ${KMS_AGENT_TOKEN_ENV_VARIABLES.join(', ')} is set${problems.length > 0 ? ` usably (${problems.join('; ')})` : ''}, ` +
      `and the file ${defaultFile} ${read.problem}; set tokenFromFilePath or tokenFromEnvVariable in ` +
      'cache_client_kms_agent_config_info',
  );
}

/** The token an environment variable gives (its value, or the content of `file://<path>`); `undefined` when unset. */
async function fromVariable(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | { problem: string } | undefined> {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!raw.startsWith('file://')) return raw;
  const path = raw.slice('file://'.length);
  const read = await readTokenFile(path);
  return typeof read === 'string' ? read : { problem: `${name} names file ${path}, which ${read.problem}` };
}

/** The trimmed content of a token file, or why there is none (the content is never part of the reason). */
async function readTokenFile(path: string): Promise<string | { problem: string }> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_TOKEN_FILE_BYTES) return { problem: `is larger than ${MAX_TOKEN_FILE_BYTES} bytes, not a token file` };
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})` };
  }
  const token = text.trim();
  return token === '' ? { problem: 'is empty' } : token;
}
