import * as buckets from './bucket-operations.js';
import * as multipart from './multipart-operations.js';
import * as objects from './object-operations.js';
import type { OssReply, OssRequest, OssState } from './oss-request.js';
import { requireBucket } from './oss-request.js';
import { OssServiceError } from './oss-service-error.js';
import { V1_SIGNED_SUBRESOURCES } from './signature-v1.js';

// Signed sub-resources that only modify an implemented operation (auth, response overrides, paging).
const MODIFIERS = new Set([
  'security-token',
  'continuation-token',
  'position',
  'partNumber',
  'x-oss-traffic-limit',
  'x-oss-request-payer',
  'response-content-type',
  'response-content-language',
  'response-expires',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
]);

function notImplemented(request: OssRequest): never {
  const what = subresourceOf(request) ?? `${request.method} ${request.target.key === undefined ? 'bucket' : 'object'}`;
  throw new OssServiceError('NotImplemented', { message: `LocalOss does not implement ${what}.` });
}

/** The operation-selecting sub-resource of the request, if any (e.g. `acl`, `uploads`, `lifecycle`). */
function subresourceOf(request: OssRequest): string | undefined {
  for (const name of request.target.query.keys()) {
    if (V1_SIGNED_SUBRESOURCES.has(name) && !MODIFIERS.has(name)) return name;
  }
  return undefined;
}

/**
 * Dispatches an authenticated request with its complete body to the operation it names; anything not
 * implemented answers 501 `NotImplemented`.
 */
export function routeOssRequest(state: OssState, request: OssRequest): OssReply {
  const { bucket: bucketName, key } = request.target;
  const method = request.method;
  const sub = subresourceOf(request);
  if (bucketName === undefined) {
    if (method === 'GET' && sub === undefined) return buckets.listBuckets(state, request);
    return notImplemented(request);
  }
  if (key === undefined) {
    if (method === 'PUT' && sub === undefined) return buckets.putBucket(state, request, bucketName);
    if (method === 'DELETE' && sub === undefined) return buckets.deleteBucket(state, bucketName);
    const bucket = requireBucket(state, bucketName);
    if (method === 'GET' && sub === undefined) {
      return request.target.query.get('list-type') === '2'
        ? buckets.listObjectsV2(state, request, bucket)
        : buckets.listObjects(state, request, bucket);
    }
    if (method === 'GET' && sub === 'bucketInfo') return buckets.getBucketInfo(state, bucket);
    if (method === 'GET' && sub === 'uploads') return multipart.listUploads(request, bucket);
    if (method === 'POST' && sub === 'delete') return buckets.deleteMultiple(request, bucket);
    return notImplemented(request);
  }
  const bucket = requireBucket(state, bucketName);
  const copySource = request.headers['x-oss-copy-source'] !== undefined;
  switch (`${method} ${sub ?? ''}`) {
    case 'PUT ':
      return copySource ? objects.copyObject(state, request, bucket, key) : objects.putObject(request, bucket, key);
    case 'PUT uploadId':
      return copySource
        ? multipart.uploadPartCopy(state, request, bucket, key)
        : multipart.uploadPart(request, bucket, key);
    case 'PUT acl':
      return objects.putObjectAcl(request, bucket, key);
    case 'PUT tagging':
      return objects.putObjectTagging(request, bucket, key);
    case 'PUT symlink':
      return objects.putSymlink(request, bucket, key);
    case 'GET ':
      return objects.getObject(request, bucket, key);
    case 'GET acl':
      return objects.getObjectAcl(state, bucket, key);
    case 'GET tagging':
      return objects.getObjectTagging(bucket, key);
    case 'GET symlink':
      return objects.getSymlink(bucket, key);
    case 'GET uploadId':
      return multipart.listParts(request, bucket, key);
    case 'HEAD ':
      return objects.headObject(bucket, key);
    case 'HEAD objectMeta':
      return objects.getObjectMeta(bucket, key);
    case 'DELETE ':
      return objects.deleteObject(bucket, key);
    case 'DELETE tagging':
      return objects.deleteObjectTagging(bucket, key);
    case 'DELETE uploadId':
      return multipart.abortUpload(request, bucket, key);
    case 'POST append':
      return objects.appendObject(request, bucket, key);
    case 'POST uploads':
      return multipart.initiateUpload(state, request, bucket, key);
    case 'POST uploadId':
      return multipart.completeUpload(state, request, bucket, key);
    default:
      return notImplemented(request);
  }
}
