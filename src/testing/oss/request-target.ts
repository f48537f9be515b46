import { isIP } from 'node:net';
import { OssServiceError } from './oss-service-error.js';

/** Bucket, object key and query of an incoming request, decoded. */
export interface RequestTarget {
  /** Bucket name, or undefined for service-level requests (ListBuckets). */
  readonly bucket: string | undefined;
  /** Object key (decoded, UTF-8), or undefined for bucket- and service-level requests. */
  readonly key: string | undefined;
  /** Decoded query parameters (first occurrence wins); a bare `?acl` has the value `''`. */
  readonly query: ReadonlyMap<string, string>;
  /** How the bucket was addressed. */
  readonly style: 'virtual-host' | 'path';
  /** The raw path, for the request log. */
  readonly rawPath: string;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new OssServiceError('InvalidArgument', { message: `Malformed percent-encoding in the ${what}.` });
  }
}

/** Parses a raw query string; `+` means a space, as in form encoding. */
export function parseQuery(rawQuery: string): Map<string, string> {
  const query = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const name = decode(rawName.replace(/\+/g, ' '), 'query');
    if (!query.has(name)) query.set(name, decode(rawValue.replace(/\+/g, ' '), 'query'));
  }
  return query;
}

/**
 * Works out bucket and key the way OSS does for the host names a local client can use.
 *
 * - Host is an IP address or `localhost` → path style: `/<bucket>/<key>` (ali-oss with `sldEnable`).
 * - Any other host → virtual-host style: the first label is the bucket, the path is the key. ali-oss with an
 *   IP endpoint sends `Host: <bucket>.oss-<region>.aliyuncs.com`, and for service-level calls
 *   (`listBuckets`) `Host: .oss-<region>.aliyuncs.com` — an empty first label means "no bucket".
 */
export function parseRequestTarget(hostHeader: string | undefined, rawUrl: string): RequestTarget {
  const queryStart = rawUrl.indexOf('?');
  const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const query = parseQuery(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
  const hostname = hostnameOf(hostHeader ?? '');
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;

  if (hostname === '' || hostname === 'localhost' || isIP(hostname) !== 0) {
    const slash = path.indexOf('/');
    const rawBucket = slash < 0 ? path : path.slice(0, slash);
    const rawKey = slash < 0 ? '' : path.slice(slash + 1);
    return {
      bucket: rawBucket === '' ? undefined : decode(rawBucket, 'bucket name'),
      key: rawKey === '' ? undefined : decode(rawKey, 'object key'),
      query,
      style: 'path',
      rawPath,
    };
  }
  const firstLabel = hostname.split('.')[0] ?? '';
  return {
    bucket: firstLabel === '' ? undefined : firstLabel,
    key: path === '' ? undefined : decode(path, 'object key'),
    query,
    style: 'virtual-host',
    rawPath,
  };
}

function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'));
  const colon = trimmed.lastIndexOf(':');
  return colon >= 0 && !trimmed.slice(colon + 1).includes('.') ? trimmed.slice(0, colon) : trimmed;
}
