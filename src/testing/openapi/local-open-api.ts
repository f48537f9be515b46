import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { systemClock, type Clock, type TimerHandle } from '../../runtime/clock.js';
import { AccessKeyRegistry, type AccessKeyRegistration } from '../access-key-registry.js';
import { OssServiceError } from '../oss/oss-service-error.js';
import { xmlDocument, xmlElement } from '../oss/xml-builder.js';
import { readGatewayRequest, type GatewayRequest } from './gateway-request.js';
import { jsonToXmlDocument } from './json-to-xml.js';
import { LocalOpenApiError } from './local-open-api-error.js';
import { detectSignatureKind, OpenApiAuthenticator, type OpenApiAuthAttempt } from './open-api-authenticator.js';
import type { OpenApiCall, OpenApiHandler, OpenApiRoute, OpenApiSignatureKind, OpenApiStyle } from './open-api-call.js';
import type { OpenApiFault, OpenApiFaultOptions } from './open-api-fault.js';
import { OpenApiRequestLog, type OpenApiRequestLogWriter, type OpenApiRequestRecordDraft } from './open-api-request-log.js';
import { OpenApiRoutes, type RouteMatch } from './open-api-routes.js';
import { OpenApiServiceError } from './open-api-service-error.js';
import { notifyObserver } from './request-observer.js';

/** Options of {@link LocalOpenApi.start}. */
export interface LocalOpenApiOptions {
  /** Serve HTTPS with this certificate chain (PEM, leaf first) and key; default plain HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** Time for date-skew checks, STS expiry, key propagation and injected latency. Default the system clock. */
  clock?: Clock;
  /** Largest accepted difference between a request's date and the emulator's clock, ms. Default 15 min. */
  maxClockSkewMs?: number;
  /** Keys to register at start (see {@link LocalOpenApi.keys}). */
  keys?: AccessKeyRegistration[];
  /** Product name in the `Recommend` link of error answers, e.g. `Sts`. Default `OpenApi`. */
  product?: string;
  /** Largest request body accepted, bytes; a larger one drops the connection. Default 8 MiB. */
  maxBodyBytes?: number;
  /** How many request records to keep (counters cover all requests). Default 10000. */
  maxLogEntries?: number;
}

/** An answer ready to send. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** A normalised error answer. */
interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  ec?: string | undefined;
  /** Extra response headers (e.g. a throttled answer's rate-limit hints). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Parameters that belong to the signature or the protocol, not to the action. */
const PROTOCOL_PARAMS = new Set([
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'AccessKeyId',
  'SecurityToken',
  'Timestamp',
  'Format',
  'Action',
  'Version',
  'OSSAccessKeyId',
  'security-token',
]);
/** Status, code and message of the ready-made fault answers. */
const FAULT_DEFAULTS = {
  unavailable: [503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'],
  throttle: [400, 'Throttling.User', 'Request was denied due to user flow control.'],
  internal: [500, 'InternalError', 'The request processing has failed due to some unknown error.'],
} as const;
const HIDDEN_HEADERS = new Set(['authorization', 'x-acs-security-token', 'x-oss-security-token', 'x-acs-bearer-token']);

/**
 * A local emulator of the Alibaba Cloud OpenAPI gateway for any product and action, so tests can run real
 * generated "Tea" SDK clients (`@alicloud/<product><version>`, on `@alicloud/openapi-client` or
 * `@alicloud/openapi-core`) against it over real sockets. TEST ONLY.
 *
 * - Both API styles: RPC (action in `x-acs-action` or `Action`, parameters in the query or a form body) and ROA
 *   (method and path, JSON or form body).
 * - Verifies ACS3-HMAC-SHA256 (the clients' default), RPC V1 and ROA V1 HMAC-SHA1 signatures (with date skew,
 *   nonce reuse and content hash), and OSS V1/V4 signatures for OSS-gateway clients such as
 *   `@alicloud/oss20190517`, against {@link LocalOpenApi.keys}; answers the gateway's errors
 *   (`InvalidAccessKeyId.NotFound` 404, `InvalidAccessKeyId.Inactive`, `SignatureDoesNotMatch`,
 *   `InvalidSecurityToken.Expired`, ...) as `{ RequestId, HostId, Code, Message, Recommend }`.
 * - Scripted handlers per action or path ({@link LocalOpenApi.handle}); an unhandled action answers 404
 *   `InvalidAction.NotFound`.
 * - A request log without secrets ({@link LocalOpenApi.requests}) and injected faults.
 *
 * ```ts
 * const api = await LocalOpenApi.start({ keys: [{ accessKeyId: 'AK1', accessKeySecret: 'S1' }] });
 * api.handle({ action: 'GetCallerIdentity' }, (call) => ({ RequestId: 'r1', AccountId: '1', UserId: call.accessKeyId }));
 * const sts = new Sts(new $OpenApiUtil.Config({ accessKeyId: 'AK1', accessKeySecret: 'S1', endpoint: api.host, protocol: 'http' }));
 * await sts.getCallerIdentity();
 * api.keys.revoke('AK1'); // next call: ClientError code 'InvalidAccessKeyId.NotFound'
 * await api.close();
 * ```
 *
 * Listens on 127.0.0.1 with a random port.
 */
export class LocalOpenApi {
  /** The AccessKeys the gateway accepts; mutable at run time (add, disable, enable, revoke, activate). */
  readonly keys: AccessKeyRegistry;
  /** Every request (action, style, signature kind, key, status, error code, sizes) and counters; no secrets. */
  readonly requests: OpenApiRequestLog;
  /** `http` or `https`. */
  readonly protocol: 'http' | 'https';

  readonly #server: http.Server | https.Server;
  readonly #clock: Clock;
  readonly #product: string;
  readonly #maxBodyBytes: number;
  readonly #authenticator: OpenApiAuthenticator;
  readonly #routes = new OpenApiRoutes();
  readonly #faults: { fault: OpenApiFault; remaining: number; action: string | undefined; path: string | undefined }[] = [];
  readonly #pendingTimers = new Map<TimerHandle, () => void>();
  /** Cancels of requests held by an infinite latency, released by close(). */
  readonly #heldForever = new Set<() => void>();
  #log!: OpenApiRequestLogWriter;
  #seq = 0;
  #closing: Promise<void> | undefined;

  private constructor(server: http.Server | https.Server, options: LocalOpenApiOptions) {
    this.#server = server;
    this.protocol = options.tls ? 'https' : 'http';
    this.#clock = options.clock ?? systemClock;
    this.#product = options.product ?? 'OpenApi';
    this.#maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.keys = new AccessKeyRegistry(this.#clock, (code, message) => new LocalOpenApiError(`LocalOpenApi.${code}`, message));
    this.requests = new OpenApiRequestLog(options.maxLogEntries ?? 10_000, (writer) => (this.#log = writer));
    this.#authenticator = new OpenApiAuthenticator({
      keys: this.keys,
      clock: this.#clock,
      maxClockSkewMs: options.maxClockSkewMs ?? 15 * 60_000,
    });
    for (const key of options.keys ?? []) this.keys.add(key);
  }

  /** Starts a LocalOpenApi on 127.0.0.1 with a random port. */
  static async start(options: LocalOpenApiOptions = {}): Promise<LocalOpenApi> {
    const server = options.tls ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }) : http.createServer();
    const api = new LocalOpenApi(server, options);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      api.#handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return api;
  }

  /** `127.0.0.1:<port>`, for a Tea client's `endpoint` option. */
  get host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** `http(s)://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `${this.protocol}://${this.host}`;
  }

  /**
   * Answers requests matching `route` with `handler` (replacing an earlier handler for the same route):
   *
   * ```ts
   * api.handle({ action: 'GetCallerIdentity', version: '2015-04-01' }, (call) => ({ RequestId: 'r', UserId: call.accessKeyId }));
   * api.handle({ method: 'GET', path: '/clusters/:id' }, (call) => ({ cluster_id: call.pathParams.id }));
   * api.handle({ action: 'DeleteThing' }, () => new OpenApiServiceError({ status: 404, code: 'Thing.NotFound' }));
   * ```
   *
   * The handler runs only for authenticated requests and gets a secret-free {@link OpenApiCall}. Throws
   * `LocalOpenApi.InvalidArgument` for a route with neither an action nor a method and path.
   */
  handle(route: OpenApiRoute, handler: OpenApiHandler): void {
    this.#routes.add(route, handler);
  }

  /**
   * Applies `fault` to the next matching request(s), before authentication: `times` (default 1; `Infinity`
   * until {@link LocalOpenApi.clearFaults}), only for `action` / `path` when given. Faults apply in the order
   * injected.
   */
  injectFault(fault: OpenApiFault, options: OpenApiFaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times > 0)) throw new LocalOpenApiError('LocalOpenApi.InvalidArgument', 'times must be > 0 (Infinity: until clearFaults)');
    this.#faults.push({ fault, remaining: times, action: options.action, path: options.path });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Clears the request log and its counters (shortcut for `requests.clear()`). */
  resetLog(): void {
    this.requests.clear();
  }

  /** Stops listening, drops open connections, held requests and pending delayed answers. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const [timer, cancel] of this.#pendingTimers) {
        this.#clock.clearTimeout(timer);
        cancel();
      }
      this.#pendingTimers.clear();
      for (const cancel of this.#heldForever) cancel();
      this.#heldForever.clear();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  /** Same as {@link LocalOpenApi.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Shows the endpoint and key ids only. */
  [inspect.custom](): string {
    return `LocalOpenApi ${inspect({ endpoint: this.endpoint, keys: this.keys.list().map((k) => k.accessKeyId) })}`;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const atMs = this.#clock.now();
    const request = await readGatewayRequest(req, this.#maxBodyBytes);
    if (!request) {
      const record = this.#open(requestId, atMs, (req.method ?? 'GET').toUpperCase(), (req.url ?? '/').split('?')[0] ?? '/');
      this.#finish(record, 0, undefined, 0);
      return void res.destroy();
    }
    const kind = detectSignatureKind(request);
    const params = { ...request.query, ...request.form };
    const action = request.headers['x-acs-action'] ?? params['Action'];
    const version = request.headers['x-acs-version'] ?? params['Version'];
    const style: OpenApiStyle =
      kind === 'rpc-v1' ? 'RPC' : kind === 'roa-v1' || kind === 'oss-v1' ? 'ROA' : request.pathname === '/' && action !== undefined ? 'RPC' : 'ROA';
    const hasSecurityToken = [request.headers['x-acs-security-token'], params['SecurityToken'], request.headers['x-oss-security-token']].some(
      (token) => token !== undefined && token !== '',
    );
    const record = this.#open(requestId, atMs, request.method, request.rawPath, {
      style,
      action,
      version,
      signature: kind,
      hasSecurityToken,
      requestBytes: request.body.length,
    });
    notifyObserver(this, { record, params, authorizationScheme: request.headers['authorization']?.split(' ', 1)[0] || undefined });

    const fault = this.#nextFault(action, request.pathname);
    if (fault) {
      record.fault = fault.kind;
      const delayMs = 'delayMs' in fault ? fault.delayMs : undefined;
      if (delayMs !== undefined && !(await this.#delay(delayMs))) return this.#drop(record, res);
      if (fault.kind === 'reset') return this.#drop(record, res, () => req.socket.destroy());
      if (fault.kind === 'garbage') {
        const body = Buffer.from('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return this.#send(res, record, { status: 502, headers: { 'content-type': 'text/html' }, body }, undefined);
      }
      if (fault.kind !== 'latency') {
        const [status, code, message] =
          fault.kind === 'error'
            ? [fault.httpStatus, fault.code, fault.message ?? fault.code]
            : [fault.httpStatus ?? FAULT_DEFAULTS[fault.kind][0], fault.code ?? FAULT_DEFAULTS[fault.kind][1], fault.message ?? FAULT_DEFAULTS[fault.kind][2]];
        const extra = fault.kind === 'throttle' || fault.kind === 'error' ? fault.headers : undefined;
        return this.#sendError(res, record, { status, code, message, headers: extra }, kind === 'oss-v1');
      }
    }

    const attempt: OpenApiAuthAttempt = { kind, hasSecurityToken };
    try {
      const match = this.#routes.find(action, version, request.method, request.pathname, request.query);
      const anonymousAllowed = kind === 'none' && typeof match === 'object' && match.route.anonymous === true;
      try {
        if (!anonymousAllowed) this.#authenticator.authenticate(request, attempt);
      } finally {
        record.accessKeyId = attempt.accessKeyId;
      }
      if (match === 'not-found') {
        throw new OpenApiServiceError({ status: 404, code: 'InvalidAction.NotFound', message: 'Specified api is not found, please check your url and method.' });
      }
      if (match === 'wrong-version') {
        throw new OpenApiServiceError({ status: 400, code: 'InvalidVersion', message: 'Specified parameter Version is not valid.' });
      }
      const call = this.#call(request, match, { requestId, style, action, version, kind, accessKeyId: attempt.accessKeyId, hasSecurityToken });
      const result: unknown = await match.handler(call);
      if (result instanceof OpenApiServiceError) throw result;
      this.#send(res, record, this.#success(result, kind === 'oss-v1', requestId), undefined);
    } catch (error) {
      this.#sendError(res, record, toErrorAnswer(error, action ?? `${request.method} ${request.pathname}`), kind === 'oss-v1');
    }
  }

  #open(
    requestId: string,
    atMs: number,
    method: string,
    path: string,
    details: Partial<OpenApiRequestRecordDraft> = {},
  ): OpenApiRequestRecordDraft {
    return this.#log.open({
      seq: ++this.#seq,
      requestId,
      atMs,
      method,
      path,
      style: 'ROA',
      action: undefined,
      version: undefined,
      signature: 'none',
      accessKeyId: undefined,
      hasSecurityToken: false,
      fault: undefined,
      status: 0,
      errorCode: undefined,
      requestBytes: 0,
      responseBytes: 0,
      ...details,
    });
  }

  #finish(record: OpenApiRequestRecordDraft, status: number, errorCode: string | undefined, responseBytes: number): void {
    record.status = status;
    record.errorCode = errorCode;
    record.responseBytes = responseBytes;
    this.#log.count(record);
  }

  #drop(record: OpenApiRequestRecordDraft, res: http.ServerResponse, destroy: () => void = () => res.destroy()): void {
    this.#finish(record, 0, undefined, 0);
    destroy();
  }

  #call(
    request: GatewayRequest,
    match: RouteMatch,
    info: { requestId: string; style: OpenApiStyle; action: string | undefined; version: string | undefined; kind: OpenApiSignatureKind; accessKeyId: string | undefined; hasSecurityToken: boolean },
  ): OpenApiCall {
    const withoutProtocol = (source: Readonly<Record<string, string>>) =>
      Object.fromEntries(Object.entries(source).filter(([name]) => !PROTOCOL_PARAMS.has(name) && !name.startsWith('x-oss-')));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HIDDEN_HEADERS.has(name)) headers[name] = value;
    return {
      requestId: info.requestId,
      style: info.style,
      action: info.action,
      version: info.version,
      method: request.method,
      path: request.pathname,
      pathParams: match.pathParams,
      query: withoutProtocol(request.query),
      params: withoutProtocol({ ...request.query, ...request.form }),
      body: parseBody(request),
      headers,
      accessKeyId: info.accessKeyId,
      sts: info.hasSecurityToken,
      signature: info.kind,
    };
  }

  #success(result: unknown, xml: boolean, requestId: string): Reply {
    const headers: Record<string, string> = xml ? this.#ossHeaders(requestId) : { 'x-acs-request-id': requestId };
    if (result === undefined) return { status: 204, headers, body: undefined };
    if (typeof result === 'string' || Buffer.isBuffer(result)) {
      headers['content-type'] = xml ? 'application/xml' : 'text/plain;charset=utf-8';
      return { status: 200, headers, body: Buffer.from(result) };
    }
    if (xml) {
      const document = jsonToXmlDocument(result);
      if (document === undefined) {
        throw new OpenApiServiceError({
          status: 500,
          code: 'InternalError',
          message: 'The handler answered an OSS request with something other than a string or an object with one root key.',
        });
      }
      headers['content-type'] = 'application/xml';
      return { status: 200, headers, body: Buffer.from(document, 'utf8') };
    }
    headers['content-type'] = 'application/json;charset=utf-8';
    return { status: 200, headers, body: Buffer.from(JSON.stringify(result), 'utf8') };
  }

  #sendError(res: http.ServerResponse, record: OpenApiRequestRecordDraft, answer: ErrorAnswer, xml: boolean): void {
    const requestId = record.requestId;
    if (xml) {
      const document = xmlDocument(
        xmlElement(
          'Error',
          xmlElement('Code', answer.code),
          xmlElement('Message', answer.message),
          xmlElement('RequestId', requestId),
          xmlElement('HostId', this.host),
          answer.ec === undefined ? undefined : xmlElement('EC', answer.ec),
        ),
      );
      const headers = { ...answer.headers, ...this.#ossHeaders(requestId), 'content-type': 'application/xml' };
      return this.#send(res, record, { status: answer.status, headers, body: Buffer.from(document, 'utf8') }, answer.code);
    }
    const body = JSON.stringify({
      RequestId: requestId,
      HostId: this.host,
      Code: answer.code,
      Message: answer.message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(answer.code)}&product=${encodeURIComponent(this.#product)}`,
    });
    const headers = { ...answer.headers, 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId };
    this.#send(res, record, { status: answer.status, headers, body: Buffer.from(body, 'utf8') }, answer.code);
  }

  #send(res: http.ServerResponse, record: OpenApiRequestRecordDraft, reply: Reply, errorCode: string | undefined): void {
    this.#finish(record, reply.status, errorCode, reply.body?.length ?? 0);
    if (res.destroyed) return;
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body?.length ?? 0) });
    res.end(reply.body);
  }

  #ossHeaders(requestId: string): Record<string, string> {
    return { server: 'AliyunOSS', date: new Date(this.#clock.now()).toUTCString(), 'x-oss-request-id': requestId };
  }

  #nextFault(action: string | undefined, pathname: string): OpenApiFault | undefined {
    const index = this.#faults.findIndex(
      (entry) => (entry.action === undefined || entry.action === action) && (entry.path === undefined || entry.path === pathname),
    );
    const next = this.#faults[index];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) this.#faults.splice(index, 1);
    return next.fault;
  }

  /** Waits on the clock; resolves `false` when the server closes first. `Infinity` waits for the close. */
  #delay(delayMs: number): Promise<boolean> {
    if (this.#closing) return Promise.resolve(false);
    if (delayMs === Infinity) {
      // No timer: a clamped one would fire after about 24.8 days, or at once on a virtual clock moved that far.
      return new Promise((resolve) => this.#heldForever.add(() => resolve(false)));
    }
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pendingTimers.delete(timer);
        resolve(true);
      }, delayMs);
      this.#pendingTimers.set(timer, () => resolve(false));
    });
  }
}

/** The body as a handler sees it: JSON or form parsed by content type, else text; undefined when empty. */
function parseBody(request: GatewayRequest): unknown {
  if (request.body.length === 0) return undefined;
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) return { ...request.form };
  const text = request.body.toString('utf8');
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Turns what a request's processing threw into the answer to send. */
function toErrorAnswer(error: unknown, what: string): ErrorAnswer {
  if (error instanceof OpenApiServiceError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof OssServiceError) return { status: error.status, code: error.ossCode, message: error.message, ec: error.ec };
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 500, code: 'InternalError', message: `The handler for ${what} failed: ${reason}` };
}
