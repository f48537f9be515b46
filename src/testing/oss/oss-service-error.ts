import { ManagedCredentialsError } from '../../errors/managed-credentials-error.js';

/** What LocalOss knows about one OSS error code: HTTP status, default message and EC (when known). */
interface OssErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly ec?: string;
}

/**
 * The OSS error codes LocalOss answers with, with the statuses and messages OSS uses. EC values are only
 * given where we know the real one; elsewhere the element is left out rather than invented.
 */
export const OSS_ERRORS = {
  AccessDenied: { status: 403, message: 'You have no right to access this object because of bucket acl.' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available.' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.' },
  EntityTooLarge: { status: 400, message: 'Your proposed upload exceeds the maximum allowed size.' },
  EntityTooSmall: { status: 400, message: 'Your proposed upload smaller than the minimum allowed size.' },
  IncompleteBody: { status: 400, message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The OSS Access Key Id you provided does not exist in our records.',
    ec: '0002-00000002',
  },
  InvalidArgument: { status: 400, message: 'Invalid argument.' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.' },
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified is not valid.' },
  InvalidObjectName: { status: 400, message: 'The specified object is not valid.' },
  InvalidPart: {
    status: 400,
    message: 'One or more of the specified parts could not be found or the specified entity tag might not have matched the part\'s entity tag.',
  },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order.' },
  InvalidRange: { status: 416, message: 'The requested range cannot be satisfied.' },
  InvalidSecurityToken: { status: 403, message: 'The security token you provided is invalid.', ec: '0002-00000006' },
  MalformedXML: { status: 400, message: 'The XML you provided was not well-formed or did not validate against our published schema.' },
  MethodNotAllowed: { status: 405, message: 'The specified method is not allowed against this resource.' },
  MissingContentLength: { status: 411, message: 'You must provide the Content-Length HTTP header.' },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.', ec: '0015-00000101' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.', ec: '0026-00000001' },
  NoSuchUpload: { status: 404, message: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.' },
  NotImplemented: { status: 501, message: 'A header you provided implies functionality that is not implemented.' },
  ObjectNotAppendable: { status: 409, message: 'The object is not appendable' },
  PositionNotEqualToLength: { status: 409, message: 'Position is not equal to file length' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  SecurityTokenExpired: { status: 403, message: 'The security token you provided has expired.', ec: '0002-00000007' },
  SignatureDoesNotMatch: {
    status: 403,
    message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ec: '0002-00000040',
  },
} as const satisfies Record<string, OssErrorSpec>;

/** An OSS error code LocalOss can answer with. */
export type OssErrorCode = keyof typeof OSS_ERRORS;

/** Optional parts of an {@link OssServiceError}. */
export interface OssServiceErrorDetails {
  /** Overrides the default message of the code. Never put secret values here. */
  message?: string;
  /** Overrides the EC (OSS's detailed error code); `null` leaves the element out. */
  ec?: string | null;
  /** Extra XML elements, e.g. `{ Key: 'a.txt' }` or `{ StringToSign: ... }`; rendered after the standard ones. */
  extra?: Record<string, string>;
  /** Extra response headers, e.g. `x-oss-next-append-position` on `PositionNotEqualToLength`. */
  headers?: Record<string, string>;
}

/**
 * An OSS error reply. LocalOss's request handlers throw it; the server renders it as OSS does (XML body,
 * or the base64 `x-oss-err` header for HEAD) with {@link OssServiceError.status}.
 */
export class OssServiceError extends ManagedCredentialsError {
  /** The OSS error code, e.g. `InvalidAccessKeyId` (also in `code`). */
  readonly ossCode: OssErrorCode;
  /** HTTP status OSS uses for this code. */
  readonly status: number;
  /** OSS's EC element, when known. */
  readonly ec: string | undefined;
  /** Extra XML elements. */
  readonly extra: Readonly<Record<string, string>>;
  /** Extra response headers. */
  readonly replyHeaders: Readonly<Record<string, string>>;

  /**
   * @param code - OSS error code
   * @param details - message override, EC override, extra elements
   */
  constructor(code: OssErrorCode, details: OssServiceErrorDetails = {}) {
    const spec: OssErrorSpec = OSS_ERRORS[code];
    super(code, details.message ?? spec.message);
    this.ossCode = code;
    this.status = spec.status;
    this.ec = details.ec === null ? undefined : (details.ec ?? spec.ec);
    this.extra = details.extra ?? {};
    this.replyHeaders = details.headers ?? {};
  }
}
