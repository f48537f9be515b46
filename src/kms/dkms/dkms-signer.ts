import { createHash, sign, type KeyObject } from 'node:crypto';

/** The only signature method any SDK uses. */
export const DKMS_SIGNATURE_METHOD = 'RSA_PKCS1_SHA_256';
/** `x-kms-apiversion` of every instance API call. */
export const DKMS_API_VERSION = 'dkms-gcs-0.2';
/** Content type of request and response bodies. */
export const DKMS_CONTENT_TYPE = 'application/x-protobuf';

/** Input of {@link signDkmsRequest}. */
export interface DkmsSignInput {
  /** HTTP method, `POST` for every API. */
  method: string;
  /** Serialized request message. */
  body: Uint8Array;
  /**
   * Request headers with lower-case names, without `date`, `content-sha256` and `authorization` (those are
   * computed). Every `x-kms-*` header is signed.
   */
  headers: Readonly<Record<string, string>>;
  /** Request time; becomes the RFC 1123 `date` header. */
  date: Date;
  /** The ClientKey's RSA private key. */
  privateKey: KeyObject;
}

/** Output of {@link signDkmsRequest}. */
export interface DkmsSignedRequest {
  /** All request headers: the given ones plus `date`, `content-sha256` and `authorization`. */
  headers: Record<string, string>;
  /** The exact string that was signed (useful for debugging a `SignatureNotMatch`). */
  stringToSign: string;
  /** Base64 RSA signature (the part after `Bearer `). */
  signature: string;
}

/** Upper-case hex SHA-256 of the body, the `content-sha256` header. */
export function dkmsContentSha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').toUpperCase();
}

/**
 * The string a DKMS request signature covers: method, `content-sha256`, `content-type`, `date` (each on its
 * own line, empty when absent), then every `x-kms-*` header as `name:trimmed-value` sorted by name, then
 * the resource `/` without a trailing newline. Header names must be lower case (as Node's server gives them).
 * Used by the client to sign and by the emulator to verify.
 */
export function buildDkmsStringToSign(method: string, headers: Readonly<Record<string, string | undefined>>): string {
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-kms-'))
    .sort()
    .map((name) => `${name}:${(headers[name] ?? '').trim()}\n`)
    .join('');
  return (
    `${method}\n${headers['content-sha256'] ?? ''}\n${headers['content-type'] ?? ''}\n${headers['date'] ?? ''}\n` +
    `${canonicalHeaders}/`
  );
}

/** Base64 RSASSA-PKCS1-v1_5 / SHA-256 signature of the UTF-8 bytes of `stringToSign`. */
export function signDkmsStringToSign(stringToSign: string, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(stringToSign, 'utf8'), privateKey).toString('base64');
}

/**
 * Signs one DKMS request attempt (a pure function of its inputs): sets `date` and `content-sha256`, builds
 * the string to sign, signs it with RSASSA-PKCS1-v1_5 / SHA-256 and sets `authorization: Bearer <base64>`.
 * Call it again for every retry so the date is fresh.
 */
export function signDkmsRequest(input: DkmsSignInput): DkmsSignedRequest {
  const headers: Record<string, string> = {
    ...input.headers,
    date: input.date.toUTCString(),
    'content-sha256': dkmsContentSha256(input.body),
  };
  const stringToSign = buildDkmsStringToSign(input.method, headers);
  const signature = signDkmsStringToSign(stringToSign, input.privateKey);
  headers['authorization'] = `Bearer ${signature}`;
  return { headers, stringToSign, signature };
}
