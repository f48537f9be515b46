import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { Clock } from '../../runtime/clock.js';
import { systemClock } from '../../runtime/clock.js';
import { BUCKET_NAME_RULE, isValidBucketName, newBucket } from './bucket-operations.js';
import { LocalOssError } from './local-oss-error.js';
import type { OssBucketState, StoredObject } from './object-store.js';
import { md5, simpleEtag } from './object-store.js';
import { parseCopySource } from './object-operations.js';
import type { OssKeyRegistration } from './oss-key-registry.js';
import { OssKeyRegistry } from './oss-key-registry.js';
import type { OssReply, OssRequest, OssState } from './oss-request.js';
import type { OssRequestCounters } from './oss-request-log.js';
import { OssRequestLog } from './oss-request-log.js';
import { routeOssRequest } from './oss-router.js';
import { OssServiceError } from './oss-service-error.js';
import type { AuthAttempt } from './request-authenticator.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { BodyAbortedError, readRequestBody } from './request-body.js';
import type { RequestTarget } from './request-target.js';
import { parseRequestTarget } from './request-target.js';
import { xmlDocument, xmlElement } from './xml-builder.js';

/** Options of {@link LocalOss.start}. */
export interface LocalOssOptions {
  /** Time source for signature dates, signed-URL expiry and STS expiry. Default: the system clock. */
  clock?: Clock;
  /** Region id as ali-oss takes it (`oss-` prefix), used for V4 scope checks and host names. Default `oss-cn-hangzhou`. */
  region?: string;
  /** Buckets to create at start. */
  buckets?: string[];
  /** Keys to register at start (see {@link LocalOss.keys}). */
  keys?: OssKeyRegistration[];
  /** Allowed difference between request time and server clock. Default 900000 (15 min), as OSS. */
  maxClockSkewMs?: number;
  /** Largest accepted request body. Default 64 MiB. */
  maxBodyBytes?: number;
  /** How many request records to keep (counters cover all requests). Default 10000. */
  maxLogEntries?: number;
  /**
   * Also send the base64 `x-oss-err` header on GET error replies (OSS does so for HEAD, where there is no
   * body). With it, ali-oss can decode errors of `getStream` and `get(name, writable)`, which do not read the
   * body. Default false, because whether real OSS sends it on GET is not known.
   */
  errorHeaderOnGet?: boolean;
  /** Owner id in listings and ACLs. Default `1000000000000000`. */
  ownerId?: string;
}

/** How an ali-oss client addresses the emulator; see {@link LocalOss.clientOptions}. */
export type LocalOssAddressing = 'virtual-host' | 'path';

/** ali-oss options (without credentials) that reach a LocalOss. Spread them into `new OSS({...})`. */
export interface LocalOssClientOptions {
  endpoint: string;
  region: string;
  secure: false;
  bucket?: string;
  /** Set for path-style addressing. */
  sldEnable?: boolean;
}

/** An object as a test sees it through {@link LocalOss.getObject}. */
export type LocalOssObject = StoredObject;

/**
 * A local, in-memory OSS server for tests: real HTTP on 127.0.0.1, real signature checks (V1, V4, signed
 * URLs, STS tokens), OSS's XML errors, and the object, listing, multipart and bucket operations ali-oss 6.x
 * uses. Anything else answers 501 `NotImplemented`.
 *
 * @example
 * ```ts
 * const oss = await LocalOss.start({ buckets: ['demo'], keys: [{ accessKeyId: 'AK1', accessKeySecret: 'S1' }] });
 * const client = new OSS({ ...oss.clientOptions('demo'), accessKeyId: 'AK1', accessKeySecret: 'S1' });
 * await client.put('a.txt', Buffer.from('hi'));
 * oss.keys.revoke('AK1');           // next call: err.code === 'InvalidAccessKeyId', err.status === 403
 * await oss.close();
 * ```
 *
 * Faults for recovery tests: a revoked or disabled key (`keys.revoke`, `keys.disable`), a new key OSS
 * accepts only after a propagation delay (`keys.add({ ..., acceptAfterMs })`, `keys.activate`), an expired
 * STS token (`expiresAtMs`), and a forbidden object ({@link LocalOss.setAccessDenied}).
 *
 * Addressing: ali-oss 6.23 with an IP endpoint (`http://127.0.0.1:PORT`) sends
 * `Host: <bucket>.<region>.aliyuncs.com` and the key as path (virtual-host style); this is the default of
 * {@link LocalOss.clientOptions} and needs no DNS. ali-oss refuses `signatureUrl` on an IP endpoint, so for
 * signed URLs use `clientOptions(bucket, 'path')`: `http://localhost:PORT` with `sldEnable: true` puts the
 * bucket in the path (`/bucket/key`), and the URLs work with plain `fetch`.
 *
 * V4 (`authorizationV4: true`): the client's `region` must match the emulator's (it does with
 * `clientOptions`). As in the OSS V4 rules, an empty query value is canonicalised as a bare name; ali-oss
 * signs `list({ prefix: '' })` as `prefix=` and is rejected with `SignatureDoesNotMatch` — leave empty
 * values out.
 */
export class LocalOss {
  /** The AccessKeys the server accepts; mutable at run time (add, disable, enable, revoke). */
  readonly keys: OssKeyRegistry;
  /** Every request, with the key used, status and error code, plus counters. */
  readonly requests: OssRequestLog;

  readonly #server: Server;
  readonly #state: OssState;
  readonly #authenticator: RequestAuthenticator;
  readonly #options: Required<Omit<LocalOssOptions, 'buckets' | 'keys'>>;
  readonly #port: number;
  /** Objects answering `AccessDenied`: bucket name → keys. */
  readonly #denied = new Map<string, Set<string>>();
  #seq = 0;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #stopped: Promise<void> | undefined;

  private constructor(server: Server, options: LocalOssOptions) {
    const clock = options.clock ?? systemClock;
    this.#options = {
      clock,
      region: options.region ?? 'oss-cn-hangzhou',
      maxClockSkewMs: options.maxClockSkewMs ?? 900_000,
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024 * 1024,
      maxLogEntries: options.maxLogEntries ?? 10_000,
      errorHeaderOnGet: options.errorHeaderOnGet ?? false,
      ownerId: options.ownerId ?? '1000000000000000',
    };
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.keys = new OssKeyRegistry(clock);
    this.requests = new OssRequestLog(this.#options.maxLogEntries);
    this.#state = {
      buckets: new Map(),
      clock,
      region: this.#options.region,
      ownerId: this.#options.ownerId,
      nextUploadId: () => randomBytes(16).toString('hex').toUpperCase(),
    };
    this.#authenticator = new RequestAuthenticator({
      keys: this.keys,
      clock,
      signingRegion: this.#options.region.replace(/^oss-/, ''),
      maxClockSkewMs: this.#options.maxClockSkewMs,
    });
    for (const key of options.keys ?? []) this.keys.add(key);
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res));
  }

  /** Starts a server on 127.0.0.1 with a random free port. */
  static async start(options: LocalOssOptions = {}): Promise<LocalOss> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      return new LocalOss(server, options);
    } catch (error) {
      server.close();
      throw error;
    }
  }

  /** `http://127.0.0.1:PORT`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The TCP port. */
  get port(): number {
    return this.#port;
  }

  /** The region (with `oss-` prefix) clients must use for V4. */
  get region(): string {
    return this.#options.region;
  }

  /**
   * ali-oss options that reach this server; add credentials (and e.g. `authorizationV4: true`):
   * `new OSS({ ...localOss.clientOptions('bucket'), accessKeyId, accessKeySecret, stsToken? })`.
   *
   * - `'virtual-host'` (default): `endpoint: http://127.0.0.1:PORT`; no DNS involved. `signatureUrl` is
   *   refused by ali-oss for IP endpoints and `signatureUrlV4` URLs lack the bucket.
   * - `'path'`: `endpoint: http://localhost:PORT` with `sldEnable: true`; everything works, including signed
   *   URLs usable with `fetch` (needs `localhost` to resolve to 127.0.0.1).
   */
  clientOptions(bucket?: string, addressing: LocalOssAddressing = 'virtual-host'): LocalOssClientOptions {
    const options: LocalOssClientOptions =
      addressing === 'path'
        ? { endpoint: `http://localhost:${this.#port}`, region: this.#options.region, secure: false, sldEnable: true }
        : { endpoint: this.endpoint, region: this.#options.region, secure: false };
    if (bucket !== undefined) options.bucket = bucket;
    return options;
  }

  /** Creates an empty bucket (test setup). Throws `LocalOss.InvalidBucketName` / `LocalOss.BucketExists`. */
  createBucket(name: string): void {
    if (!isValidBucketName(name)) {
      throw new LocalOssError('LocalOss.InvalidBucketName', `Invalid bucket name "${name}": ${BUCKET_NAME_RULE}`);
    }
    if (this.#state.buckets.has(name)) {
      throw new LocalOssError('LocalOss.BucketExists', `Bucket "${name}" exists already: each bucket name can be created once per LocalOss`);
    }
    this.#state.buckets.set(name, newBucket(name, this.#options.clock.now()));
  }

  /** Stores an object directly (test setup), as a simple PUT would. */
  putObject(bucket: string, key: string, body: Buffer | string, meta: Record<string, string> = {}): void {
    const data = Buffer.from(body);
    this.#bucket(bucket).objects.set(key, {
      key,
      body: data,
      etag: simpleEtag(data),
      type: 'Normal',
      lastModifiedMs: this.#options.clock.now(),
      meta: { ...meta },
      headers: { 'content-type': 'application/octet-stream' },
      acl: 'default',
      tags: new Map(),
    });
  }

  /**
   * Makes an object forbidden to every key, as a RAM policy or ACL that denies it would (or allows it again
   * with `denied = false`). Any request on `key` in `bucket`, including its use as a copy source, is first
   * authenticated as usual and then answered 403 `AccessDenied` with OSS's XML error body (on HEAD, base64 in
   * `x-oss-err`); the object itself is untouched and need not exist.
   *
   * ali-oss reads no body for `getStream` and `get(name, writable)`, so there the error has `status` 403 but
   * no `code` (unless the server was started with `errorHeaderOnGet`), exactly as with real OSS: use this to
   * test that such a bare 403 is not mistaken for a rejected key.
   */
  setAccessDenied(bucket: string, key: string, denied = true): void {
    const keys = this.#denied.get(bucket) ?? new Set<string>();
    if (denied) keys.add(key);
    else keys.delete(key);
    if (keys.size > 0) this.#denied.set(bucket, keys);
    else this.#denied.delete(bucket);
  }

  /** The stored object (bytes, ETag, type, user metadata, headers, ACL, tags), or undefined. */
  getObject(bucket: string, key: string): LocalOssObject | undefined {
    return this.#state.buckets.get(bucket)?.objects.get(key);
  }

  /** All keys of a bucket, sorted. Throws `LocalOss.NoSuchBucket` for an unknown bucket. */
  listObjectKeys(bucket: string): string[] {
    return [...this.#bucket(bucket).objects.keys()].sort();
  }

  /** Ids of the multipart uploads still open in a bucket (neither completed nor aborted). */
  listUploadIds(bucket: string): string[] {
    return [...this.#bucket(bucket).uploads.keys()];
  }

  /** Names of all buckets, sorted. */
  listBucketNames(): string[] {
    return [...this.#state.buckets.keys()].sort();
  }

  /** Requests whose headers arrived and that are not answered yet (body still arriving, or being handled). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Counters over all requests (shortcut for `requests.counters()`). */
  counters(): OssRequestCounters {
    return this.requests.counters();
  }

  /**
   * Resolves once no request is being processed, e.g. after a client aborted an upload, so a test can
   * inspect the store and the log without racing the server.
   */
  async whenIdle(): Promise<void> {
    // Let sockets that already delivered data reach the request handler first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#inFlight === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Closes the server and every open connection (keep-alive sockets included). Idempotent. */
  close(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#stopped;
  }

  /** Same as {@link LocalOss.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Same as {@link LocalOss.close}.
   * @deprecated Use {@link LocalOss.close}, the lifecycle verb of every emulator; `stop()` goes in the next release.
   */
  stop(): Promise<void> {
    return this.close();
  }

  /** Shows endpoint, buckets with object counts and key ids; never bodies or secrets. */
  [inspect.custom](): string {
    const buckets = Object.fromEntries([...this.#state.buckets].map(([name, b]) => [name, b.objects.size]));
    return `LocalOss ${inspect({ endpoint: this.endpoint, buckets, keys: this.keys.list().map((k) => k.accessKeyId) })}`;
  }

  #bucket(name: string): OssBucketState {
    const bucket = this.#state.buckets.get(name);
    if (!bucket) {
      const known = [...this.#state.buckets.keys()].map((b) => `"${b}"`).join(', ') || 'none';
      throw new LocalOssError('LocalOss.NoSuchBucket', `No bucket "${name}" (buckets: ${known}); create it with \`buckets\` in LocalOss.start() or createBucket()`);
    }
    return bucket;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.#inFlight++;
    const requestId = randomBytes(12).toString('hex').toUpperCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const attempt: AuthAttempt = { kind: 'anonymous' };
    let target: RequestTarget | undefined;
    let bodyLength = 0;
    const copyHeader = req.headers['x-oss-copy-source'];
    const copySource = Array.isArray(copyHeader) ? copyHeader.join(',') : copyHeader;
    let reply: OssReply;
    let errorCode: string | undefined;
    try {
      target = parseRequestTarget(req.headers.host, rawUrl);
      const body = await readRequestBody(req, this.#options.maxBodyBytes);
      bodyLength = body.length;
      const headers = flattenHeaders(req);
      const request: OssRequest = { method, headers, target, body, nowMs: this.#options.clock.now() };
      this.#authenticator.authenticate(request, attempt);
      this.#checkAccess(target, headers);
      checkContentMd5(headers, body);
      reply = routeOssRequest(this.#state, request);
    } catch (error) {
      if (error instanceof BodyAbortedError) bodyLength = error.receivedBytes;
      const serviceError =
        error instanceof OssServiceError
          ? error
          : new OssServiceError('InternalError', { message: 'LocalOss failed to handle the request.' });
      errorCode = serviceError.ossCode;
      reply = this.#errorReply(serviceError, method, requestId, target);
      if (error instanceof BodyAbortedError) {
        this.#log(requestId, method, rawUrl, target, attempt, 0, errorCode, bodyLength, copySource);
        if (!res.destroyed) this.#send(res, reply, method, requestId);
        this.#done();
        return;
      }
    }
    this.#log(requestId, method, rawUrl, target, attempt, reply.status, errorCode, bodyLength, copySource);
    this.#send(res, reply, method, requestId);
    this.#done();
  }

  /** Throws `AccessDenied` for a request on an object made forbidden by {@link LocalOss.setAccessDenied}. */
  #checkAccess(target: RequestTarget, headers: Record<string, string | undefined>): void {
    if (this.#denied.size === 0) return;
    const isDenied = (bucket: string | undefined, key: string | undefined) =>
      bucket !== undefined && key !== undefined && this.#denied.get(bucket)?.has(key) === true;
    const copySource = headers['x-oss-copy-source'];
    const source = copySource === undefined ? undefined : parseCopySource(copySource);
    if (isDenied(target.bucket, target.key) || isDenied(source?.bucket, source?.key)) {
      throw new OssServiceError('AccessDenied');
    }
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #log(
    requestId: string,
    method: string,
    rawUrl: string,
    target: RequestTarget | undefined,
    attempt: AuthAttempt,
    status: number,
    errorCode: string | undefined,
    bodyLength: number,
    copySource: string | undefined,
  ): void {
    this.requests.record({
      seq: ++this.#seq,
      requestId,
      method,
      path: target?.rawPath ?? rawUrl.split('?')[0] ?? rawUrl,
      query: Object.fromEntries(
        [...(target?.query ?? [])].map(([name, value]) => [name, TOKEN_PARAMS.has(name) ? '<security-token>' : value]),
      ),
      bucket: target?.bucket,
      key: target?.key,
      authKind: attempt.kind,
      accessKeyId: attempt.accessKeyId,
      status,
      errorCode,
      bodyLength,
      copySource,
      stringToSign: attempt.stringToSign,
    });
  }

  #errorReply(error: OssServiceError, method: string, requestId: string, target: RequestTarget | undefined): OssReply {
    const region = this.#options.region;
    const hostId = target?.bucket === undefined ? `${region}.aliyuncs.com` : `${target.bucket}.${region}.aliyuncs.com`;
    const xml = xmlDocument(
      xmlElement(
        'Error',
        xmlElement('Code', error.ossCode),
        xmlElement('Message', error.message),
        xmlElement('RequestId', requestId),
        xmlElement('HostId', hostId),
        Object.entries(error.extra).map(([name, value]) => xmlElement(name, value)),
        error.ec === undefined ? undefined : xmlElement('EC', error.ec),
      ),
    );
    const headers: Record<string, string> = { ...error.replyHeaders, 'content-type': 'application/xml' };
    // HEAD replies have no body; OSS puts the error document base64-encoded into x-oss-err instead.
    if (method === 'HEAD' || (method === 'GET' && this.#options.errorHeaderOnGet)) {
      headers['x-oss-err'] = Buffer.from(xml, 'utf8').toString('base64');
    }
    if (error.ec !== undefined) headers['x-oss-ec'] = error.ec;
    return { status: error.status, headers, body: method === 'HEAD' ? undefined : xml };
  }

  #send(res: ServerResponse, reply: OssReply, method: string, requestId: string): void {
    const headers: Record<string, string> = {
      server: 'AliyunOSS',
      date: new Date(this.#options.clock.now()).toUTCString(),
      'x-oss-request-id': requestId,
      ...reply.headers,
    };
    const body = reply.body === undefined ? undefined : Buffer.from(reply.body);
    if (body !== undefined) headers['content-length'] = String(body.length);
    else if (headers['content-length'] === undefined || method !== 'HEAD') headers['content-length'] = '0';
    res.writeHead(reply.status, headers);
    res.end(method === 'HEAD' ? undefined : body);
  }
}

// Signed-URL parameters holding an STS token; the request log hides their values.
const TOKEN_PARAMS = new Set(['security-token', 'x-oss-security-token']);

function flattenHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function checkContentMd5(headers: Record<string, string | undefined>, body: Buffer): void {
  const declared = headers['content-md5'];
  if (declared === undefined) return;
  if (md5(body).toString('base64') !== declared.trim()) throw new OssServiceError('InvalidDigest');
}
