import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type forge from 'node-forge';
import { requireFromPackage } from '../../runtime/require-from-package.js';
import type { ClientKey } from './client-key.js';
import { ConfigError, ConfigErrorCode, type ConfigErrorLocation } from '../../config/config-error.js';

/** How a ClientKey given as JSON text is named in errors. */
export const CLIENT_KEY_CONTENT_SOURCE = 'client key content';

/** Options of {@link parseClientKeyContent}. */
export interface ParseClientKeyOptions {
  /** Name of where the content came from, for error messages; default `client key content`. */
  sourceName?: string;
}

/** A ConfigError about the ClientKey at `source`: a file path (set as `file`) or the content marker. */
function clientKeyError(
  code: ConfigErrorCode,
  source: string,
  message: string,
  location: ConfigErrorLocation = {},
  options?: ErrorOptions,
): ConfigError {
  const file = source === CLIENT_KEY_CONTENT_SOURCE ? undefined : source;
  return new ConfigError(code, message, { ...location, ...(file === undefined ? {} : { file }) }, options);
}

// ClientKey files are a few KB; reading them synchronously lets a synchronous constructor load them.
function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw clientKeyError(ConfigErrorCode.FileNotFound, path, `${what} ${path} does not exist`);
    throw clientKeyError(ConfigErrorCode.UnreadableFile, path, `${what} ${path} cannot be read (${code ?? 'error'})`, {}, {
      cause: error,
    });
  }
}

function requireRsa(key: KeyObject, source: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw clientKeyError(
      ConfigErrorCode.InvalidClientKey,
      source,
      `the private key in ${source} is ${key.asymmetricKeyType ?? 'not asymmetric'}; DKMS ClientKeys must be RSA`,
    );
  }
  return key;
}

/** Decrypts the base64 PKCS#12 and returns its RSA key (node-forge: OpenSSL 3 rejects the legacy ciphers). */
function keyFromPkcs12(privateKeyData: string, password: string, source: string): KeyObject {
  // Loaded here, not at import: an application that never reads a PKCS#12 key never loads node-forge.
  const forgeLib = requireFromPackage('node-forge') as typeof forge;
  const base64 = privateKeyData.replace(/\s+/g, '');
  if (base64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw clientKeyError(ConfigErrorCode.InvalidClientKey, source, `PrivateKeyData in ${source} is not base64`);
  }
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forgeLib.asn1.fromDer(Buffer.from(base64, 'base64').toString('binary'));
  } catch {
    throw clientKeyError(ConfigErrorCode.InvalidClientKey, source, `PrivateKeyData in ${source} is not a DER-encoded PKCS#12`);
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forgeLib.pkcs12.pkcs12FromAsn1(asn1, password);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (/MAC could not be verified|invalid password/i.test(detail)) {
      throw clientKeyError(ConfigErrorCode.WrongPassword, source, `the password of the ClientKey in ${source} is wrong`);
    }
    // Forge's messages describe structure only; the error object itself is not attached (it may hold bytes).
    throw clientKeyError(ConfigErrorCode.InvalidClientKey, source, `PrivateKeyData in ${source} is not a readable PKCS#12: ${detail}`);
  }
  // Select the key bag by type, not by position: shrouded (encrypted) first, then a plain key bag.
  let forgeKey: forge.pki.rsa.PrivateKey | undefined;
  for (const bagType of [forgeLib.pki.oids.pkcs8ShroudedKeyBag, forgeLib.pki.oids.keyBag]) {
    if (!bagType) continue;
    forgeKey = p12.getBags({ bagType })[bagType]?.find((bag) => bag.key)?.key;
    if (forgeKey) break;
  }
  if (!forgeKey) throw clientKeyError(ConfigErrorCode.InvalidClientKey, source, `the PKCS#12 in ${source} holds no private key`);
  return requireRsa(createPrivateKey(forgeLib.pki.privateKeyToPem(forgeKey)), source);
}

/**
 * Parses ClientKey JSON (`{"KeyId": "KAAP...", "PrivateKeyData": "<base64 PKCS#12>"}`) and decrypts its
 * PKCS#12 with `password`. Legacy RC2-40/3DES containers work without `--openssl-legacy-provider`.
 * Throws a {@link ConfigError} naming `options.sourceName` (default "client key content").
 */
export function parseClientKeyContent(content: string, password: string, options: ParseClientKeyOptions = {}): ClientKey {
  const source = options.sourceName ?? CLIENT_KEY_CONTENT_SOURCE;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch {
    throw clientKeyError(ConfigErrorCode.MalformedJson, source, `${source} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw clientKeyError(ConfigErrorCode.MalformedJson, source, `${source} is not a JSON object with KeyId and PrivateKeyData`);
  }
  const { KeyId: keyId, PrivateKeyData: privateKeyData } = parsed as Record<string, unknown>;
  for (const [field, value] of [['KeyId', keyId], ['PrivateKeyData', privateKeyData]] as const) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw clientKeyError(ConfigErrorCode.MissingKey, source, `${source} has no string field ${field}`, { field });
    }
  }
  return Object.freeze({
    keyId: (keyId as string).trim(),
    privateKey: keyFromPkcs12(privateKeyData as string, password, source),
  });
}

/** Reads a ClientKey JSON file (`clientKey_<KeyId>.json`) and decrypts it with `password`. */
export async function readClientKeyFile(path: string, password: string): Promise<ClientKey> {
  return readClientKeyFileSync(path, password);
}

/** The synchronous form of {@link readClientKeyFile}, for synchronous constructors. */
export function readClientKeyFileSync(path: string, password: string): ClientKey {
  const content = readTextFile(path, 'ClientKey file');
  return parseClientKeyContent(content, password, { sourceName: path });
}

/**
 * Reads a ClientKey password file (`clientKey_<KeyId>_Password.txt`), dropping trailing whitespace and
 * newlines as the official SDKs do.
 */
export async function readClientKeyPasswordFile(path: string): Promise<string> {
  return readTextFile(path, 'ClientKey password file').replace(/\s+$/, '');
}

/**
 * A ClientKey from its KeyId and an unencrypted RSA private key in PEM (PKCS#1 or PKCS#8): the route
 * that avoids PKCS#12. `sourceName` names the key in errors (default "client key content").
 */
export function clientKeyFromPem(keyId: string, privateKeyPem: string | Buffer, sourceName = CLIENT_KEY_CONTENT_SOURCE): ClientKey {
  if (keyId.trim() === '') throw clientKeyError(ConfigErrorCode.MissingKey, sourceName, `the KeyId for ${sourceName} is empty`, { field: 'KeyId' });
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw clientKeyError(ConfigErrorCode.InvalidClientKey, sourceName, `${sourceName} is not an unencrypted PEM private key`);
  }
  return Object.freeze({ keyId: keyId.trim(), privateKey: requireRsa(key, sourceName) });
}
