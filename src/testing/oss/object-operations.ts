import type { OssBucketState, OssObjectType, StoredObject } from './object-store.js';
import { STORED_HEADERS, simpleEtag } from './object-store.js';
import type { OssReply, OssRequest, OssState } from './oss-request.js';
import { childList, childObject, childText, isoTime, ownerXml, parseRequestXml, requireBucket, xmlReply } from './oss-request.js';
import { OssServiceError } from './oss-service-error.js';
import { parseQuery } from './request-target.js';
import { xmlElement } from './xml-builder.js';

const OBJECT_ACLS = new Set(['default', 'private', 'public-read', 'public-read-write']);
const RESPONSE_OVERRIDES = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
] as const;

/** Checks an object key as OSS does: 1 to 1023 UTF-8 bytes. */
export function checkObjectKey(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes < 1 || bytes > 1023) throw new OssServiceError('InvalidObjectName', { extra: { ObjectName: key } });
}

/** `x-oss-meta-*` request headers, prefix removed. */
export function userMetaFrom(headers: OssRequest['headers']): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name.startsWith('x-oss-meta-')) meta[name.slice('x-oss-meta-'.length)] = value;
  }
  return meta;
}

/** Standard headers (content-type, cache-control, ...) to store with an object. */
export function storedHeadersFrom(headers: OssRequest['headers']): Record<string, string> {
  const stored: Record<string, string> = { 'content-type': 'application/octet-stream' };
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== '') stored[name] = value;
  }
  return stored;
}

/** The object or `NoSuchKey`. */
export function requireObject(bucket: OssBucketState, key: string): StoredObject {
  const object = bucket.objects.get(key);
  if (!object) throw new OssServiceError('NoSuchKey', { extra: { Key: key } });
  return object;
}

function tagsFrom(header: string | undefined): Map<string, string> {
  return header === undefined ? new Map() : parseQuery(header);
}

function requireBodyLength(request: OssRequest): void {
  if (request.headers['content-length'] === undefined && request.headers['transfer-encoding'] === undefined) {
    throw new OssServiceError('MissingContentLength');
  }
}

function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    ...object.headers,
    etag: object.etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
    'x-oss-object-type': object.type,
    'x-oss-storage-class': 'Standard',
    'accept-ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(object.meta)) headers[`x-oss-meta-${name}`] = value;
  if (object.type === 'Appendable') headers['x-oss-next-append-position'] = String(object.body.length);
  if (object.tags.size > 0) headers['x-oss-tagging-count'] = String(object.tags.size);
  return headers;
}

function store(
  bucket: OssBucketState,
  request: OssRequest,
  key: string,
  body: Buffer,
  type: OssObjectType,
  extra: Partial<StoredObject> = {},
): StoredObject {
  const acl = request.headers['x-oss-object-acl'] ?? 'default';
  if (!OBJECT_ACLS.has(acl)) throw new OssServiceError('InvalidArgument', { message: 'no such object access control exists' });
  const object: StoredObject = {
    key,
    body,
    etag: simpleEtag(body),
    type,
    lastModifiedMs: request.nowMs,
    meta: userMetaFrom(request.headers),
    headers: storedHeadersFrom(request.headers),
    acl,
    tags: tagsFrom(request.headers['x-oss-tagging']),
    ...extra,
  };
  bucket.objects.set(key, object);
  return object;
}

/** PUT object (the body has already been received completely). */
export function putObject(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  checkObjectKey(key);
  requireBodyLength(request);
  const object = store(bucket, request, key, request.body, 'Normal');
  return { status: 200, headers: { etag: object.etag, 'content-md5': md5Base64(object.body) } };
}

function md5Base64(body: Buffer): string {
  return Buffer.from(simpleEtag(body).slice(1, -1), 'hex').toString('base64');
}

/** POST object?append&position=N: AppendObject. */
export function appendObject(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  checkObjectKey(key);
  requireBodyLength(request);
  const rawPosition = request.target.query.get('position') ?? '';
  if (!/^\d+$/.test(rawPosition)) {
    throw new OssServiceError('InvalidArgument', { message: 'position must be a non-negative integer' });
  }
  const position = Number(rawPosition);
  const existing = bucket.objects.get(key);
  if (existing && existing.type !== 'Appendable') throw new OssServiceError('ObjectNotAppendable');
  const length = existing?.body.length ?? 0;
  if (position !== length) {
    throw new OssServiceError('PositionNotEqualToLength', {
      headers: { 'x-oss-next-append-position': String(length) },
    });
  }
  const body = existing ? Buffer.concat([existing.body, request.body]) : request.body;
  // OSS keeps the metadata of the first append; later appends only add bytes.
  const object: StoredObject = existing
    ? { ...existing, body, etag: simpleEtag(body), lastModifiedMs: request.nowMs }
    : store(bucket, request, key, body, 'Appendable');
  bucket.objects.set(key, object);
  return { status: 200, headers: { etag: object.etag, 'x-oss-next-append-position': String(body.length) } };
}

/** Resolves a symlink to its target object (one level, as OSS does), or `NoSuchKey`. */
function resolve(bucket: OssBucketState, key: string): StoredObject {
  const object = requireObject(bucket, key);
  if (object.type !== 'Symlink' || object.symlinkTarget === undefined) return object;
  const target = bucket.objects.get(object.symlinkTarget);
  if (!target) throw new OssServiceError('NoSuchKey', { extra: { Key: key } });
  return target;
}

/** A parsed single `Range: bytes=a-b` header, or undefined when absent or not parseable (→ whole object). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return size === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw new OssServiceError('InvalidRange', { extra: { RangeRequested: header ?? '', ActualObjectSize: String(size) } });
  return { start, end };
}

/** GET object (Range, response-* overrides, symlinks followed). */
export function getObject(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const object = resolve(bucket, key);
  const headers = objectHeaders(object);
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = request.target.query.get(param);
    if (value !== undefined) headers[header] = value;
  }
  const range = parseRange(request.headers['range'], object.body.length);
  if (!range) return { status: 200, headers, body: object.body };
  headers['content-range'] = `bytes ${range.start}-${range.end}/${object.body.length}`;
  return { status: 206, headers, body: object.body.subarray(range.start, range.end + 1) };
}

/** HEAD object: the GET headers with the full Content-Length, no body. */
export function headObject(bucket: OssBucketState, key: string): OssReply {
  const object = resolve(bucket, key);
  return { status: 200, headers: { ...objectHeaders(object), 'content-length': String(object.body.length) } };
}

/** HEAD object?objectMeta: GetObjectMeta (ETag, size, last modified). */
export function getObjectMeta(bucket: OssBucketState, key: string): OssReply {
  const object = resolve(bucket, key);
  return {
    status: 200,
    headers: {
      etag: object.etag,
      'content-length': String(object.body.length),
      'last-modified': new Date(object.lastModifiedMs).toUTCString(),
      'x-oss-last-access-time': new Date(object.lastModifiedMs).toUTCString(),
    },
  };
}

/** DELETE object: always 204, existing or not. */
export function deleteObject(bucket: OssBucketState, key: string): OssReply {
  bucket.objects.delete(key);
  return { status: 204 };
}

/** Parses `x-oss-copy-source: /bucket/url-encoded-key[?versionId=...]`. */
export function parseCopySource(header: string): { bucket: string; key: string } {
  const path = header.split('?')[0] ?? '';
  const match = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!match) throw new OssServiceError('InvalidArgument', { message: 'Copy Source must mention the source bucket and key' });
  try {
    return { bucket: decodeURIComponent(match[1] as string), key: decodeURIComponent(match[2] as string) };
  } catch {
    throw new OssServiceError('InvalidArgument', { message: 'Copy Source is not properly URL-encoded' });
  }
}

/** PUT object with x-oss-copy-source: CopyObject (metadata directive COPY or REPLACE). */
export function copyObject(state: OssState, request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  checkObjectKey(key);
  const source = parseCopySource(request.headers['x-oss-copy-source'] ?? '');
  const sourceObject = requireObject(requireBucket(state, source.bucket), source.key);
  const directive = (request.headers['x-oss-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new OssServiceError('InvalidArgument', { message: 'x-oss-metadata-directive must be COPY or REPLACE' });
  }
  const replace = directive === 'REPLACE';
  const object: StoredObject = {
    ...sourceObject,
    key,
    type: sourceObject.type === 'Symlink' ? 'Symlink' : 'Normal',
    lastModifiedMs: request.nowMs,
    meta: replace ? userMetaFrom(request.headers) : sourceObject.meta,
    headers: replace ? storedHeadersFrom(request.headers) : sourceObject.headers,
    acl: request.headers['x-oss-object-acl'] ?? 'default',
  };
  bucket.objects.set(key, object);
  return xmlReply(
    xmlElement('CopyObjectResult', xmlElement('ETag', object.etag), xmlElement('LastModified', isoTime(object.lastModifiedMs))),
    { etag: object.etag },
  );
}

/** PUT object?acl with x-oss-object-acl. */
export function putObjectAcl(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  const acl = request.headers['x-oss-object-acl'] ?? '';
  if (!OBJECT_ACLS.has(acl)) throw new OssServiceError('InvalidArgument', { message: 'no such object access control exists' });
  bucket.objects.set(key, { ...object, acl });
  return { status: 200 };
}

/** GET object?acl. */
export function getObjectAcl(state: OssState, bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  return xmlReply(
    xmlElement('AccessControlPolicy', ownerXml(state), xmlElement('AccessControlList', xmlElement('Grant', object.acl))),
  );
}

/** PUT object?tagging with a `<Tagging><TagSet><Tag>` body (at most 10 tags). */
export function putObjectTagging(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  const tagSet = childObject(childObject(parseRequestXml(request.body), 'Tagging'), 'TagSet');
  const tags = new Map<string, string>();
  for (const tag of childList(tagSet, 'Tag')) {
    const name = childText(tag, 'Key');
    if (name === undefined || name === '') throw new OssServiceError('MalformedXML');
    tags.set(name, childText(tag, 'Value') ?? '');
  }
  if (tags.size > 10) throw new OssServiceError('InvalidArgument', { message: 'Object tags cannot be greater than 10' });
  bucket.objects.set(key, { ...object, tags });
  return { status: 200 };
}

/** GET object?tagging. */
export function getObjectTagging(bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  const tags = [...object.tags].map(([name, value]) => xmlElement('Tag', xmlElement('Key', name), xmlElement('Value', value)));
  return xmlReply(xmlElement('Tagging', xmlElement('TagSet', tags)));
}

/** DELETE object?tagging. */
export function deleteObjectTagging(bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  bucket.objects.set(key, { ...object, tags: new Map() });
  return { status: 204 };
}

/** PUT object?symlink with x-oss-symlink-target (URL-encoded). */
export function putSymlink(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  checkObjectKey(key);
  const rawTarget = request.headers['x-oss-symlink-target'];
  if (rawTarget === undefined || rawTarget === '') {
    throw new OssServiceError('InvalidArgument', { message: 'x-oss-symlink-target is required' });
  }
  let target: string;
  try {
    target = decodeURIComponent(rawTarget);
  } catch {
    throw new OssServiceError('InvalidArgument', { message: 'x-oss-symlink-target is not properly URL-encoded' });
  }
  checkObjectKey(target);
  const object = store(bucket, request, key, Buffer.alloc(0), 'Symlink', { symlinkTarget: target });
  return { status: 200, headers: { etag: object.etag } };
}

/** GET object?symlink. */
export function getSymlink(bucket: OssBucketState, key: string): OssReply {
  const object = requireObject(bucket, key);
  if (object.type !== 'Symlink' || object.symlinkTarget === undefined) {
    throw new OssServiceError('InvalidArgument', { message: 'The symlink object is not a symlink.', extra: { Key: key } });
  }
  const headers: Record<string, string> = {
    'x-oss-symlink-target': encodeURIComponent(object.symlinkTarget),
    etag: object.etag,
    'last-modified': new Date(object.lastModifiedMs).toUTCString(),
  };
  for (const [name, value] of Object.entries(object.meta)) headers[`x-oss-meta-${name}`] = value;
  return { status: 200, headers };
}
