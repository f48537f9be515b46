/**
 * What `@types/ali-oss` leaves out but ali-oss 6.x has at run time: options and methods. ProxyBucket
 * accepts and exposes them so it is a true drop-in for the runtime client.
 */

/** ali-oss runtime options missing from `OSS.Options` in `@types/ali-oss`. */
export interface AliOssExtraOptions {
  /** Retries of network errors and timeouts (not auth errors); ali-oss never retries stream bodies. */
  retryMax?: number;
  /** Filter for `retryMax` retries. */
  requestErrorRetryHandle?: (error: unknown) => boolean;
  /** CloudBox id for V4 signing. */
  cloudBoxId?: string;
  /** Put the bucket into the path instead of the host. */
  sldEnable?: boolean;
  /** Send `x-oss-request-payer: requester`. */
  isRequestPay?: boolean;
  /** Header encoding for V4 signing. */
  headerEncoding?: string;
  /** Clock-skew correction in ms added to the request date. */
  amendTimeSkewed?: number;
  /** Use an HTTP proxy. */
  enableProxy?: boolean;
  proxy?: string;
  maxSockets?: number;
  agent?: unknown;
  httpsAgent?: unknown;
  /** Inject a custom urllib-compatible HTTP client. */
  urllib?: unknown;
}

/** A call method of the runtime client that `@types/ali-oss` does not declare. */
// The runtime signatures vary and are untyped upstream; `any` keeps them callable as in plain JavaScript.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type UntypedCall = (...args: any[]) => Promise<any>;

/** Methods of the ali-oss 6.x client that exist at run time but are missing from `@types/ali-oss`. */
export interface AliOssUndeclaredMethods {
  getObjectMeta: UntypedCall;
  getObjectTagging: UntypedCall;
  putObjectTagging: UntypedCall;
  deleteObjectTagging: UntypedCall;
  processObjectSave: UntypedCall;
  postAsyncFetch: UntypedCall;
  getAsyncFetch: UntypedCall;
  getBucketStat: UntypedCall;
  getBucketTags: UntypedCall;
  putBucketTags: UntypedCall;
  deleteBucketTags: UntypedCall;
  getBucketEncryption: UntypedCall;
  putBucketEncryption: UntypedCall;
  deleteBucketEncryption: UntypedCall;
  getBucketVersioning: UntypedCall;
  putBucketVersioning: UntypedCall;
  getBucketVersions: UntypedCall;
  listObjectVersions: UntypedCall;
  getBucketRequestPayment: UntypedCall;
  putBucketRequestPayment: UntypedCall;
  getBucketInventory: UntypedCall;
  putBucketInventory: UntypedCall;
  deleteBucketInventory: UntypedCall;
  listBucketInventory: UntypedCall;
  initiateBucketWorm: UntypedCall;
  abortBucketWorm: UntypedCall;
  completeBucketWorm: UntypedCall;
  extendBucketWorm: UntypedCall;
  getBucketWorm: UntypedCall;
  /** Synchronous. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  signPostObjectPolicyV4(policy: object | string, date: Date): any;
  /** Synchronous. */
  getBucket(): string | undefined;
  /** Synchronous. */
  setBucket(name: string): this;
  /** Synchronous. */
  setSLDEnabled(enable: boolean): this;
  /** Synchronous. */
  resetCancelFlag(): void;
  /**
   * Sends one raw request described by ali-oss request parameters (`method`, `bucket`, `object`, `subres`,
   * `headers`, `content`, `successStatuses`, `xmlResponse`...), signed with the current managed key.
   */
  request: UntypedCall;
  /** Builds the ali-oss error for a failed response (`{ status, headers, data }`) or a transport error. */
  requestError: UntypedCall;
  /** Parses OSS XML the way ali-oss does (no root element, no arrays for single children). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  parseXML(xml: string | Buffer): Promise<any>;
  /** Synchronous; browser detection, always `false` under Node. */
  checkBrowserAndVersion(name: string, version: string): boolean;
  /** Synchronous: base64 HMAC-SHA1 of `stringToSign` with the current AccessKey secret. */
  signature(stringToSign: string): string;
  /** Synchronous: the V1 `Authorization` header value for a request, with the current key. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  authorization(method: string, resource: string, subres: any, headers: Record<string, unknown>): string;
  /** Synchronous: the V4 `Authorization` header value for a request, with the current key. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  authorizationV4(...args: any[]): string;
}
