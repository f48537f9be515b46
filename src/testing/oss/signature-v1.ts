import { createHmac } from 'node:crypto';

/**
 * Query parameters OSS includes in the V1 CanonicalizedResource (its list of signed sub-resources);
 * ordinary parameters such as `prefix`, `marker` or `max-keys` are not signed.
 */
export const V1_SIGNED_SUBRESOURCES: ReadonlySet<string> = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append',
  'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style', 'styleName',
  'replication', 'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp', 'qos', 'live',
  'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process', 'x-oss-traffic-limit',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId',
  'udfImageDesc', 'udfApplication', 'udfApplicationLog', 'restore', 'callback', 'callback-var', 'qosInfo',
  'policy', 'stat', 'encryption', 'versions', 'versioning', 'versionId', 'requestPayment',
  'x-oss-request-payer', 'sequential', 'inventory', 'inventoryId', 'continuation-token', 'asyncFetch', 'worm',
  'wormId', 'wormExtend', 'objectInfo', 'group', 'link', 'transferAcceleration', 'metaQuery', 'resourceGroup',
]);

/** Inputs of the V1 StringToSign. Header names must be lower case. */
export interface V1SigningInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `x-oss-date`/`Date` for header auth, the `Expires` parameter for signed URLs. */
  readonly dateOrExpires: string;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  readonly query: ReadonlyMap<string, string>;
}

/** The canonical resource: `/`, `/bucket/` or `/bucket/key`, plus signed sub-resources sorted by name. */
export function v1CanonicalResource(input: Pick<V1SigningInput, 'bucket' | 'key' | 'query'>): string {
  let resource = '/';
  if (input.bucket !== undefined) resource += `${input.bucket}/`;
  if (input.key !== undefined) resource += input.key;
  const signed = [...input.query.entries()]
    .filter(([name]) => V1_SIGNED_SUBRESOURCES.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`));
  return signed.length > 0 ? `${resource}?${signed.join('&')}` : resource;
}

/** Builds the V1 StringToSign (VERB, Content-MD5, Content-Type, date, x-oss-* headers, resource). */
export function v1StringToSign(input: V1SigningInput): string {
  const ossHeaders = Object.entries(input.headers)
    .filter((entry): entry is [string, string] => entry[0].startsWith('x-oss-') && entry[1] !== undefined)
    .map(([name, value]) => [name, value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value}\n`)
    .join('');
  return [
    input.method.toUpperCase(),
    input.headers['content-md5'] ?? '',
    input.headers['content-type'] ?? '',
    input.dateOrExpires,
    `${ossHeaders}${v1CanonicalResource(input)}`,
  ].join('\n');
}

/** base64 HMAC-SHA1 of the StringToSign (UTF-8). */
export function v1Signature(accessKeySecret: string, stringToSign: string): string {
  return createHmac('sha1', accessKeySecret).update(stringToSign, 'utf8').digest('base64');
}
