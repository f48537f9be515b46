import { createHash } from 'node:crypto';

/** OSS object types, as in `x-oss-object-type`. */
export type OssObjectType = 'Normal' | 'Appendable' | 'Multipart' | 'Symlink';

/** Headers OSS stores with an object and returns on GET/HEAD. Lower-case names. */
export const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-language',
  'content-disposition',
  'cache-control',
  'expires',
] as const;

/** An object in a LocalOss bucket, as returned by `LocalOss.getObject`. */
export interface StoredObject {
  readonly key: string;
  readonly body: Buffer;
  /** Quoted, upper-case hex ETag as OSS sends it, e.g. `"5D41402ABC4B2A76B9719D911017C592"`. */
  readonly etag: string;
  readonly type: OssObjectType;
  readonly lastModifiedMs: number;
  /** User metadata (`x-oss-meta-*` without the prefix, names lower case). */
  readonly meta: Readonly<Record<string, string>>;
  /** Standard headers stored with the object (content-type, cache-control, ...). */
  readonly headers: Readonly<Record<string, string>>;
  readonly acl: string;
  readonly tags: ReadonlyMap<string, string>;
  /** For symlinks: the target key. */
  readonly symlinkTarget?: string;
}

/** One uploaded part of a multipart upload. */
export interface UploadedPart {
  readonly partNumber: number;
  readonly body: Buffer;
  readonly etag: string;
  readonly md5: Buffer;
  readonly lastModifiedMs: number;
}

/** A multipart upload in progress. */
export interface MultipartUpload {
  readonly uploadId: string;
  readonly key: string;
  readonly initiatedMs: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly parts: Map<number, UploadedPart>;
}

/** A bucket: its objects and open multipart uploads. */
export interface OssBucketState {
  readonly name: string;
  readonly creationMs: number;
  acl: string;
  readonly objects: Map<string, StoredObject>;
  readonly uploads: Map<string, MultipartUpload>;
}

/** Binary MD5. */
export function md5(data: Buffer): Buffer {
  return createHash('md5').update(data).digest();
}

/** The ETag OSS gives a simply uploaded object: the quoted upper-case hex MD5 of its bytes. */
export function simpleEtag(data: Buffer): string {
  return `"${md5(data).toString('hex').toUpperCase()}"`;
}

/** The ETag of a completed multipart object: MD5 over the parts' binary MD5s, then `-<part count>`. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  return `"${md5(Buffer.concat(partMd5s)).toString('hex').toUpperCase()}-${partMd5s.length}"`;
}
