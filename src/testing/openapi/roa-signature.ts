import { createHmac } from 'node:crypto';

/** What the ROA signature V1 (`Authorization: acs <AccessKeyId>:<signature>`) covers. */
export interface RoaSignedRequest {
  method: string;
  /** The request path (decoded). */
  pathname: string;
  /** Decoded query parameters. */
  query: Readonly<Record<string, string>>;
  /** Request headers by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * The ROA StringToSign: method, `accept`, `content-md5`, `content-type` and `date` lines, the `x-acs-*`
 * headers sorted (`name:value`, whitespace controls turned into spaces, trimmed), then the path with the
 * sorted `name=value` query (values not encoded).
 */
export function roaStringToSign(request: RoaSignedRequest): string {
  const headers = request.headers;
  const acsHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-acs-') && headers[name] !== undefined)
    .sort()
    .map((name) => `${name}:${(headers[name] ?? '').replace(/[\t\n\r\f]/g, ' ').trim()}\n`)
    .join('');
  const queryKeys = Object.keys(request.query).sort();
  const resource =
    queryKeys.length === 0 ? request.pathname : `${request.pathname}?${queryKeys.map((key) => `${key}=${request.query[key] ?? ''}`).join('&')}`;
  const lines = [request.method.toUpperCase(), headers['accept'] ?? '', headers['content-md5'] ?? '', headers['content-type'] ?? '', headers['date'] ?? ''];
  return `${lines.join('\n')}\n${acsHeaders}${resource}`;
}

/** base64 HMAC-SHA1 of the ROA StringToSign with the AccessKeySecret. */
export function roaSignature(stringToSign: string, accessKeySecret: string): string {
  return createHmac('sha1', accessKeySecret).update(stringToSign, 'utf8').digest('base64');
}
