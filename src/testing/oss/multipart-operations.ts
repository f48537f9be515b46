import type { MultipartUpload, OssBucketState, StoredObject, UploadedPart } from './object-store.js';
import { md5, multipartEtag, simpleEtag } from './object-store.js';
import { checkObjectKey, parseCopySource, requireObject, storedHeadersFrom, userMetaFrom } from './object-operations.js';
import type { OssReply, OssRequest, OssState } from './oss-request.js';
import { childList, childObject, childText, intParam, isoTime, parseRequestXml, requireBucket, xmlReply } from './oss-request.js';
import { OssServiceError } from './oss-service-error.js';
import { xmlElement } from './xml-builder.js';

/** OSS's minimum size of every part but the last. */
export const MIN_PART_SIZE_BYTES = 100 * 1024;

function requireUpload(request: OssRequest, bucket: OssBucketState, key: string): MultipartUpload {
  const uploadId = request.target.query.get('uploadId') ?? '';
  const upload = bucket.uploads.get(uploadId);
  if (!upload || upload.key !== key) throw new OssServiceError('NoSuchUpload', { extra: { UploadId: uploadId } });
  return upload;
}

function partNumberOf(request: OssRequest): number {
  if (!request.target.query.has('partNumber')) {
    throw new OssServiceError('InvalidArgument', { message: 'partNumber is required', extra: { ArgumentName: 'partNumber' } });
  }
  return intParam(request.target.query, 'partNumber', 0, 1, 10000);
}

function addPart(upload: MultipartUpload, partNumber: number, body: Buffer, nowMs: number): UploadedPart {
  const part: UploadedPart = { partNumber, body, etag: simpleEtag(body), md5: md5(body), lastModifiedMs: nowMs };
  upload.parts.set(partNumber, part);
  return part;
}

/** POST object?uploads: InitiateMultipartUpload. */
export function initiateUpload(state: OssState, request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  checkObjectKey(key);
  const upload: MultipartUpload = {
    uploadId: state.nextUploadId(),
    key,
    initiatedMs: request.nowMs,
    meta: userMetaFrom(request.headers),
    headers: storedHeadersFrom(request.headers),
    parts: new Map(),
  };
  bucket.uploads.set(upload.uploadId, upload);
  return xmlReply(
    xmlElement(
      'InitiateMultipartUploadResult',
      xmlElement('Bucket', bucket.name),
      xmlElement('Key', key),
      xmlElement('UploadId', upload.uploadId),
    ),
  );
}

/** PUT object?partNumber&uploadId: UploadPart. */
export function uploadPart(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const partNumber = partNumberOf(request);
  const upload = requireUpload(request, bucket, key);
  const part = addPart(upload, partNumber, request.body, request.nowMs);
  return { status: 200, headers: { etag: part.etag } };
}

/** PUT object?partNumber&uploadId with x-oss-copy-source (and optional x-oss-copy-source-range): UploadPartCopy. */
export function uploadPartCopy(state: OssState, request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const partNumber = partNumberOf(request);
  const upload = requireUpload(request, bucket, key);
  const source = parseCopySource(request.headers['x-oss-copy-source'] ?? '');
  const object = requireObject(requireBucket(state, source.bucket), source.key);
  let body = object.body;
  const range = request.headers['x-oss-copy-source-range'];
  if (range !== undefined) {
    const match = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
    const start = Number(match?.[1]);
    const end = Number(match?.[2]);
    if (!match || end < start || start >= object.body.length) {
      throw new OssServiceError('InvalidArgument', { message: 'The x-oss-copy-source-range is not valid.' });
    }
    body = object.body.subarray(start, Math.min(end, object.body.length - 1) + 1);
  }
  const part = addPart(upload, partNumber, Buffer.from(body), request.nowMs);
  return xmlReply(
    xmlElement('CopyPartResult', xmlElement('LastModified', isoTime(part.lastModifiedMs)), xmlElement('ETag', part.etag)),
    { etag: part.etag },
  );
}

function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toUpperCase();
}

/**
 * POST object?uploadId: CompleteMultipartUpload. Parts must be listed in ascending order, exist with the
 * given ETag, and all but the last must be at least {@link MIN_PART_SIZE_BYTES}. `x-oss-complete-all: yes`
 * completes with every uploaded part instead.
 */
export function completeUpload(state: OssState, request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const upload = requireUpload(request, bucket, key);
  let parts: UploadedPart[];
  if (request.headers['x-oss-complete-all'] === 'yes') {
    parts = [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  } else {
    const listed = childList(childObject(parseRequestXml(request.body), 'CompleteMultipartUpload'), 'Part');
    if (listed.length === 0) throw new OssServiceError('MalformedXML');
    parts = [];
    let previous = 0;
    for (const entry of listed) {
      const number = Number((childText(entry, 'PartNumber') ?? '').trim());
      const etag = childText(entry, 'ETag') ?? '';
      if (!Number.isInteger(number)) throw new OssServiceError('MalformedXML');
      if (number <= previous) throw new OssServiceError('InvalidPartOrder');
      previous = number;
      const part = upload.parts.get(number);
      if (!part || normaliseEtag(part.etag) !== normaliseEtag(etag)) {
        throw new OssServiceError('InvalidPart', { extra: { PartNumber: String(number), ETag: etag } });
      }
      parts.push(part);
    }
  }
  if (parts.length === 0) throw new OssServiceError('InvalidPart');
  parts.slice(0, -1).forEach((part) => {
    if (part.body.length < MIN_PART_SIZE_BYTES) {
      throw new OssServiceError('EntityTooSmall', {
        extra: { PartNumber: String(part.partNumber), ProposedSize: String(part.body.length) },
      });
    }
  });
  const body = Buffer.concat(parts.map((p) => p.body));
  const object: StoredObject = {
    key,
    body,
    etag: multipartEtag(parts.map((p) => p.md5)),
    type: 'Multipart',
    lastModifiedMs: request.nowMs,
    meta: upload.meta,
    headers: upload.headers,
    acl: 'default',
    tags: new Map(),
  };
  bucket.objects.set(key, object);
  bucket.uploads.delete(upload.uploadId);
  return xmlReply(
    xmlElement(
      'CompleteMultipartUploadResult',
      xmlElement('Location', `http://${bucket.name}.${state.region}.aliyuncs.com/${encodeURIComponent(key)}`),
      xmlElement('Bucket', bucket.name),
      xmlElement('Key', key),
      xmlElement('ETag', object.etag),
    ),
    { etag: object.etag },
  );
}

/** DELETE object?uploadId: AbortMultipartUpload. */
export function abortUpload(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const upload = requireUpload(request, bucket, key);
  bucket.uploads.delete(upload.uploadId);
  return { status: 204 };
}

/** GET object?uploadId: ListParts with max-parts and part-number-marker. */
export function listParts(request: OssRequest, bucket: OssBucketState, key: string): OssReply {
  const upload = requireUpload(request, bucket, key);
  const maxParts = intParam(request.target.query, 'max-parts', 1000, 1, 1000);
  const marker = intParam(request.target.query, 'part-number-marker', 0, 0, 10000);
  const all = [...upload.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  return xmlReply(
    xmlElement(
      'ListPartsResult',
      xmlElement('Bucket', bucket.name),
      xmlElement('Key', key),
      xmlElement('UploadId', upload.uploadId),
      xmlElement('PartNumberMarker', marker),
      xmlElement('NextPartNumberMarker', page[page.length - 1]?.partNumber ?? marker),
      xmlElement('MaxParts', maxParts),
      xmlElement('IsTruncated', truncated),
      page.map((p) =>
        xmlElement(
          'Part',
          xmlElement('PartNumber', p.partNumber),
          xmlElement('LastModified', isoTime(p.lastModifiedMs)),
          xmlElement('ETag', p.etag),
          xmlElement('Size', p.body.length),
        ),
      ),
    ),
  );
}

/** GET bucket?uploads: ListMultipartUploads with prefix, key-marker/upload-id-marker and max-uploads. */
export function listUploads(request: OssRequest, bucket: OssBucketState): OssReply {
  const query = request.target.query;
  const prefix = query.get('prefix') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const idMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = intParam(query, 'max-uploads', 1000, 1, 1000);
  const all = [...bucket.uploads.values()]
    .filter((u) => u.key.startsWith(prefix))
    .filter((u) => u.key > keyMarker || (u.key === keyMarker && idMarker !== '' && u.uploadId > idMarker))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.uploadId < b.uploadId ? -1 : 1));
  const page = all.slice(0, maxUploads);
  const truncated = all.length > page.length;
  const last = page[page.length - 1];
  return xmlReply(
    xmlElement(
      'ListMultipartUploadsResult',
      xmlElement('Bucket', bucket.name),
      xmlElement('KeyMarker', keyMarker),
      xmlElement('UploadIdMarker', idMarker),
      xmlElement('NextKeyMarker', truncated && last ? last.key : ''),
      xmlElement('NextUploadIdMarker', truncated && last ? last.uploadId : ''),
      xmlElement('Delimiter', ''),
      xmlElement('Prefix', prefix),
      xmlElement('MaxUploads', maxUploads),
      xmlElement('IsTruncated', truncated),
      page.map((u) =>
        xmlElement('Upload', xmlElement('Key', u.key), xmlElement('UploadId', u.uploadId), xmlElement('Initiated', isoTime(u.initiatedMs))),
      ),
    ),
  );
}
