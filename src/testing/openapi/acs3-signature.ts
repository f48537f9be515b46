import { createHash, createHmac } from 'node:crypto';

/** The only algorithm `@alicloud/openapi-client` uses by default for OpenAPI calls (signature V3). */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** The parts of an `Authorization: ACS3-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...` header. */
export interface Acs3Authorization {
  accessKeyId: string;
  /** Lower-case header names, in the order given. */
  signedHeaders: string[];
  /** Lower-case hex. */
  signature: string;
}

/** What an ACS3 signature covers. */
export interface Acs3SignedRequest {
  method: string;
  /** The request path, `/` for RPC calls. */
  pathname: string;
  /** Decoded query parameters. */
  query: Readonly<Record<string, string>>;
  /** Request headers by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The lower-case header names that are signed. */
  signedHeaders: readonly string[];
  /** `x-acs-content-sha256`: hex SHA-256 of the body. */
  hashedPayload: string;
}

/** Parses an ACS3 `Authorization` header; `undefined` when it is not one. */
export function parseAcs3Authorization(header: string | undefined): Acs3Authorization | undefined {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([^,\s]+),Signature=([0-9a-f]+)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1] as string, signedHeaders: (match[2] as string).split(';'), signature: match[3] as string };
}

/**
 * The ACS3-HMAC-SHA256 signature (hex) of a request, as the Alibaba Cloud OpenAPI (signature V3) defines
 * it: HMAC-SHA256 with the AccessKeySecret over `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request
 * (method, path, sorted percent-encoded query, signed headers with trimmed values, their names, payload hash).
 */
export function acs3Signature(request: Acs3SignedRequest, accessKeySecret: string): string {
  const canonicalQuery = Object.keys(request.query)
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(request.query[key] ?? '')}`)
    .join('&');
  const signed = [...request.signedHeaders].sort();
  const canonicalHeaders = signed.map((name) => `${name}:${(request.headers[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    request.pathname,
    canonicalQuery,
    canonicalHeaders,
    signed.join(';'),
    request.hashedPayload,
  ].join('\n');
  const stringToSign = `${ACS3_ALGORITHM}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  return createHmac('sha256', accessKeySecret).update(stringToSign, 'utf8').digest('hex');
}

/** RFC 3986 percent-encoding as the Alibaba Cloud signatures use it (`!'()*` encoded too). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
