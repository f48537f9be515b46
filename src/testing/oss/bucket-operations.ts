import type { OssBucketState, StoredObject } from './object-store.js';
import type { OssReply, OssRequest, OssState } from './oss-request.js';
import {
  childList,
  childObject,
  childText,
  intParam,
  isoTime,
  ownerXml,
  parseRequestXml,
  requireBucket,
  xmlReply,
} from './oss-request.js';
import { OssServiceError } from './oss-service-error.js';
import type { XmlContent } from './xml-builder.js';
import { xmlElement } from './xml-builder.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** OSS's bucket naming rule, as the emulator states it in errors. */
export const BUCKET_NAME_RULE =
  'a bucket name has 3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit';
const ACLS = new Set(['private', 'public-read', 'public-read-write']);

/** Whether `name` is a valid OSS bucket name (3-63 lower-case letters, digits, hyphens; no edge hyphen). */
export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name);
}

/** Creates an empty bucket state. */
export function newBucket(name: string, nowMs: number, acl = 'private'): OssBucketState {
  return { name, creationMs: nowMs, acl, objects: new Map(), uploads: new Map() };
}

/** GET / (service): ListBuckets with prefix, marker, max-keys. */
export function listBuckets(state: OssState, request: OssRequest): OssReply {
  const query = request.target.query;
  const prefix = query.get('prefix') ?? '';
  const marker = query.get('marker') ?? '';
  const maxKeys = intParam(query, 'max-keys', 100, 1, 1000);
  const names = [...state.buckets.keys()].filter((n) => n.startsWith(prefix) && n > marker).sort();
  const page = names.slice(0, maxKeys);
  const truncated = names.length > page.length;
  return xmlReply(
    xmlElement(
      'ListAllMyBucketsResult',
      query.has('prefix') ? xmlElement('Prefix', prefix) : undefined,
      query.has('marker') ? xmlElement('Marker', marker) : undefined,
      query.has('max-keys') ? xmlElement('MaxKeys', maxKeys) : undefined,
      xmlElement('IsTruncated', truncated),
      truncated ? xmlElement('NextMarker', page[page.length - 1]) : undefined,
      ownerXml(state),
      xmlElement(
        'Buckets',
        page.map((name) => {
          const bucket = state.buckets.get(name) as OssBucketState;
          return xmlElement(
            'Bucket',
            xmlElement('CreationDate', isoTime(bucket.creationMs)),
            xmlElement('ExtranetEndpoint', `${state.region}.aliyuncs.com`),
            xmlElement('IntranetEndpoint', `${state.region}-internal.aliyuncs.com`),
            xmlElement('Location', state.region),
            xmlElement('Name', name),
            xmlElement('Region', state.region.replace(/^oss-/, '')),
            xmlElement('StorageClass', 'Standard'),
          );
        }),
      ),
    ),
  );
}

/** PUT /bucket: PutBucket. */
export function putBucket(state: OssState, request: OssRequest, name: string): OssReply {
  if (!isValidBucketName(name)) throw new OssServiceError('InvalidBucketName', { extra: { BucketName: name } });
  if (state.buckets.has(name)) throw new OssServiceError('BucketAlreadyExists', { extra: { BucketName: name } });
  const acl = request.headers['x-oss-acl'] ?? 'private';
  if (!ACLS.has(acl)) throw new OssServiceError('InvalidArgument', { message: 'no such bucket access control exists' });
  state.buckets.set(name, newBucket(name, request.nowMs, acl));
  return { status: 200, headers: { location: `/${name}` } };
}

/** DELETE /bucket: DeleteBucket (must be empty, no open uploads). */
export function deleteBucket(state: OssState, name: string): OssReply {
  const bucket = requireBucket(state, name);
  if (bucket.objects.size > 0 || bucket.uploads.size > 0) {
    throw new OssServiceError('BucketNotEmpty', { extra: { BucketName: name } });
  }
  state.buckets.delete(name);
  return { status: 204 };
}

/** GET /bucket?bucketInfo. */
export function getBucketInfo(state: OssState, bucket: OssBucketState): OssReply {
  return xmlReply(
    xmlElement(
      'BucketInfo',
      xmlElement(
        'Bucket',
        xmlElement('AccessMonitor', 'Disabled'),
        xmlElement('CreationDate', isoTime(bucket.creationMs)),
        xmlElement('ExtranetEndpoint', `${state.region}.aliyuncs.com`),
        xmlElement('IntranetEndpoint', `${state.region}-internal.aliyuncs.com`),
        xmlElement('Location', state.region),
        xmlElement('StorageClass', 'Standard'),
        xmlElement('Name', bucket.name),
        ownerXml(state),
        xmlElement('AccessControlList', xmlElement('Grant', bucket.acl)),
      ),
    ),
  );
}

interface ListPage {
  objects: StoredObject[];
  prefixes: string[];
  truncated: boolean;
  /** Last key or common prefix returned; where the next page starts (exclusive). */
  last: string | undefined;
}

/** Lists keys after `after` (exclusive) with prefix/delimiter grouping; prefixes count towards `maxKeys`. */
function listPage(bucket: OssBucketState, prefix: string, after: string, delimiter: string, maxKeys: number): ListPage {
  const page: ListPage = { objects: [], prefixes: [], truncated: false, last: undefined };
  const keys = [...bucket.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  for (const key of keys) {
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const commonPrefix = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
    // A prefix already returned (or the marker itself) must not come back.
    if (commonPrefix !== undefined && (commonPrefix <= after || commonPrefix === page.last)) continue;
    if (page.objects.length + page.prefixes.length >= maxKeys) {
      page.truncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      page.prefixes.push(commonPrefix);
      page.last = commonPrefix;
    } else {
      page.objects.push(bucket.objects.get(key) as StoredObject);
      page.last = key;
    }
  }
  return page;
}

function contentsXml(state: OssState, object: StoredObject, withOwner: boolean, encode: (s: string) => string) {
  return xmlElement(
    'Contents',
    xmlElement('Key', encode(object.key)),
    xmlElement('LastModified', isoTime(object.lastModifiedMs)),
    xmlElement('ETag', object.etag),
    xmlElement('Type', object.type),
    xmlElement('Size', object.body.length),
    xmlElement('StorageClass', 'Standard'),
    withOwner ? ownerXml(state) : undefined,
  );
}

function encoder(request: OssRequest): (text: string) => string {
  return request.target.query.get('encoding-type') === 'url' ? encodeURIComponent : (text) => text;
}

/** GET /bucket: ListObjects (v1) with prefix, marker, delimiter, max-keys, encoding-type. */
export function listObjects(state: OssState, request: OssRequest, bucket: OssBucketState): OssReply {
  const query = request.target.query;
  const prefix = query.get('prefix') ?? '';
  const marker = query.get('marker') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = intParam(query, 'max-keys', 100, 0, 1000);
  const encode = encoder(request);
  const page = listPage(bucket, prefix, marker, delimiter, maxKeys);
  const content: XmlContent[] = [
    xmlElement('Name', bucket.name),
    xmlElement('Prefix', encode(prefix)),
    xmlElement('Marker', encode(marker)),
    xmlElement('MaxKeys', maxKeys),
    xmlElement('Delimiter', encode(delimiter)),
    query.get('encoding-type') === 'url' ? xmlElement('EncodingType', 'url') : undefined,
    xmlElement('IsTruncated', page.truncated),
    page.truncated && page.last !== undefined ? xmlElement('NextMarker', encode(page.last)) : undefined,
    page.objects.map((o) => contentsXml(state, o, true, encode)),
    page.prefixes.map((p) => xmlElement('CommonPrefixes', xmlElement('Prefix', encode(p)))),
  ];
  return xmlReply(xmlElement('ListBucketResult', content));
}

/** GET /bucket?list-type=2: ListObjectsV2 with continuation-token, start-after, fetch-owner. */
export function listObjectsV2(state: OssState, request: OssRequest, bucket: OssBucketState): OssReply {
  const query = request.target.query;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const startAfter = query.get('start-after') ?? '';
  const token = query.get('continuation-token');
  const maxKeys = intParam(query, 'max-keys', 100, 0, 1000);
  const encode = encoder(request);
  let after = startAfter;
  if (token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || Buffer.from(after, 'utf8').toString('base64url') !== token) {
      throw new OssServiceError('InvalidArgument', { message: 'The continuation token provided is incorrect' });
    }
  }
  const page = listPage(bucket, prefix, after, delimiter, maxKeys);
  const withOwner = query.get('fetch-owner') === 'true';
  return xmlReply(
    xmlElement(
      'ListBucketResult',
      xmlElement('Name', bucket.name),
      xmlElement('Prefix', encode(prefix)),
      query.has('start-after') ? xmlElement('StartAfter', encode(startAfter)) : undefined,
      token !== undefined ? xmlElement('ContinuationToken', token) : undefined,
      xmlElement('MaxKeys', maxKeys),
      xmlElement('Delimiter', encode(delimiter)),
      query.get('encoding-type') === 'url' ? xmlElement('EncodingType', 'url') : undefined,
      xmlElement('IsTruncated', page.truncated),
      page.truncated && page.last !== undefined
        ? xmlElement('NextContinuationToken', Buffer.from(page.last, 'utf8').toString('base64url'))
        : undefined,
      xmlElement('KeyCount', page.objects.length + page.prefixes.length),
      page.objects.map((o) => contentsXml(state, o, withOwner, encode)),
      page.prefixes.map((p) => xmlElement('CommonPrefixes', xmlElement('Prefix', encode(p)))),
    ),
  );
}

/** POST /bucket?delete: DeleteMultipleObjects (XML body, Quiet mode, up to 1000 keys). */
export function deleteMultiple(request: OssRequest, bucket: OssBucketState): OssReply {
  const root = childObject(parseRequestXml(request.body), 'Delete');
  const objects = childList(root, 'Object');
  if (!root || objects.length === 0 || objects.length > 1000) throw new OssServiceError('MalformedXML');
  const quiet = (childText(root, 'Quiet') ?? 'false').trim() === 'true';
  const deleted: string[] = [];
  for (const object of objects) {
    const key = childText(object, 'Key');
    if (key === undefined || key === '') throw new OssServiceError('MalformedXML');
    bucket.objects.delete(key);
    deleted.push(key);
  }
  return xmlReply(
    xmlElement('DeleteResult', quiet ? undefined : deleted.map((key) => xmlElement('Deleted', xmlElement('Key', key)))),
  );
}
