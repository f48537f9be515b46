import { createHash, createHmac } from 'node:crypto';

/** The V4 algorithm name, used in `Authorization` and `x-oss-signature-version`. */
export const V4_ALGORITHM = 'OSS4-HMAC-SHA256';

/** RFC 3986 encoding: everything but unreserved characters is percent-encoded. */
export function rfc3986Encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Inputs of the V4 canonical request. Header names must be lower case. */
export interface V4SigningInput {
  readonly method: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  /** Query parameters to sign (for signed URLs: all but `x-oss-signature`). */
  readonly query: ReadonlyMap<string, string>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Lower-case names from AdditionalHeaders / `x-oss-additional-headers`, sorted. */
  readonly additionalHeaders: readonly string[];
  /** The payload hash: the `x-oss-content-sha256` value, or `UNSIGNED-PAYLOAD`. */
  readonly payloadHash: string;
}

/**
 * The V4 canonical request: VERB, encoded URI (`/bucket/key`, `/` kept), the encoded query sorted by encoded
 * name (an empty value becomes a bare name), the canonical headers (content-type, content-md5, x-oss-*, and
 * the additional headers), the additional header list and the payload hash.
 */
export function v4CanonicalRequest(input: V4SigningInput): string {
  const uri = rfc3986Encode(`/${input.bucket !== undefined ? `${input.bucket}/` : ''}${input.key ?? ''}`).replace(
    /%2F/g,
    '/',
  );
  const query = [...input.query.entries()]
    .map(([name, value]) => [rfc3986Encode(name), rfc3986Encode(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
  const headerNames = new Set(input.additionalHeaders);
  for (const [name, value] of Object.entries(input.headers)) {
    if (value === undefined) continue;
    if (name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')) headerNames.add(name);
  }
  const canonicalHeaders = [...headerNames]
    .sort()
    .map((name) => `${name}:${(input.headers[name] ?? '').trim()}\n`)
    .join('');
  return [
    input.method.toUpperCase(),
    uri,
    query,
    canonicalHeaders,
    input.additionalHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

/** The V4 StringToSign: algorithm, timestamp, scope, hex SHA-256 of the canonical request. */
export function v4StringToSign(timestamp: string, scope: string, canonicalRequest: string): string {
  return [V4_ALGORITHM, timestamp, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join(
    '\n',
  );
}

/** hex HMAC-SHA256 signature with the key derived from `aliyun_v4<secret>`, date, region, product. */
export function v4Signature(
  accessKeySecret: string,
  scope: { date: string; region: string; product: string },
  stringToSign: string,
): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const dateKey = hmac(`aliyun_v4${accessKeySecret}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const productKey = hmac(regionKey, scope.product);
  const signingKey = hmac(productKey, 'aliyun_v4_request');
  return createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
}
