import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../../runtime/clock.js';
import { formatKmsDate, type SecretStore, type SecretVersionRecord } from '../secret-store.js';
import { ACS3_ALGORITHM, acs3Signature, parseAcs3Authorization } from '../openapi/acs3-signature.js';
import type { LocalKmsFault } from './local-kms-fault.js';
import type { LocalKmsRequestRecord } from './local-kms-request-record.js';

/** Options of {@link LocalKms.start}. */
export interface LocalKmsOptions {
  /** The secrets served (can be shared with a LocalDkms). */
  store: SecretStore;
  /** Serve HTTPS with this certificate chain (PEM, leaf first) and key; default plain HTTP. */
  tls?: { certPem: string; keyPem: string };
  /** Time for the `x-acs-date` skew check, STS token expiry and injected latency. Default the system clock. */
  clock?: Clock;
  /** Largest accepted difference between `x-acs-date` and the server time, ms. Default 15 min. */
  maxClockSkewMs?: number;
}

/** A RAM identity LocalKms accepts. */
export interface LocalKmsPrincipal {
  accessKeyId: string;
  /** Secret. */
  accessKeySecret: string;
  /** For STS credentials: the token that must come with the AccessKeyId. Secret. */
  securityToken?: string;
  /** For STS credentials: when the token stops working, epoch ms. */
  expiresAtMs?: number;
  /** Secrets this identity may read; default all (otherwise `Forbidden.NoPermission`). */
  allowedSecrets?: readonly string[];
}

class KmsFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ACTION = 'GetSecretValue';
const API_VERSION = '2016-01-20';
const REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
const MAX_BODY_BYTES = 1 << 20;

/**
 * A local emulator of the KMS OpenAPI `GetSecretValue` (2016-01-20, RPC style, JSON), for tests of code
 * that uses `@alicloud/openapi-client`. It verifies the ACS3-HMAC-SHA256 signature that client sends
 * (plus content hash, date skew, nonce reuse and the STS token of temporary credentials) against the
 * principals it knows, serves a {@link SecretStore}, answers JSON errors with KMS codes and statuses,
 * injects faults on demand, and logs every request without secrets. Listens on 127.0.0.1, random port.
 * TEST ONLY.
 */
export class LocalKms {
  private readonly principals = new Map<string, LocalKmsPrincipal>();
  private readonly faults: { fault: LocalKmsFault; remaining: number }[] = [];
  private readonly log: LocalKmsRequestRecord[] = [];
  private readonly seenNonces = new Set<string>();
  private readonly pendingTimers = new Map<TimerHandle, () => void>();
  /** Cancels of requests held by an infinite latency, released by close(). */
  private readonly heldForever = new Set<() => void>();
  private readonly clock: Clock;
  private readonly maxClockSkewMs: number;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: http.Server | https.Server,
    private readonly options: LocalKmsOptions,
    /** `http` or `https`. */
    readonly protocol: 'http' | 'https',
  ) {
    this.clock = options.clock ?? systemClock;
    this.maxClockSkewMs = options.maxClockSkewMs ?? 15 * 60_000;
  }

  /** Starts a LocalKms on 127.0.0.1 with a random port. */
  static async start(options: LocalKmsOptions): Promise<LocalKms> {
    const server = options.tls ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }) : http.createServer();
    const kms = new LocalKms(server, options, options.tls ? 'https' : 'http');
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      kms.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return kms;
  }

  /** `127.0.0.1:<port>`, for an `endpoint` option. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `http(s)://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `${this.protocol}://${this.host}`;
  }

  /** Every request so far, oldest first (a copy). */
  get requests(): readonly LocalKmsRequestRecord[] {
    return [...this.log];
  }

  /** Number of requests received so far (including failed and faulted ones). */
  get callCount(): number {
    return this.log.length;
  }

  /** Accepts a long-term AccessKey or STS credentials (replaces an entry with the same AccessKeyId). */
  addPrincipal(principal: LocalKmsPrincipal): void {
    this.principals.set(principal.accessKeyId, { ...principal });
  }

  /** Forgets an AccessKeyId: its requests fail with `InvalidAccessKeyId.NotFound`. */
  removePrincipal(accessKeyId: string): void {
    this.principals.delete(accessKeyId);
  }

  /** Applies `fault` to the next `times` requests (default 1; `Infinity` until {@link clearFaults}). */
  injectFault(fault: LocalKmsFault, times = 1): void {
    this.faults.push({ fault, remaining: times });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Clears the request log. */
  resetLog(): void {
    this.log.length = 0;
  }

  /** Stops listening, drops open connections and pending delayed answers. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const [timer, cancel] of this.pendingTimers) {
        this.clock.clearTimeout(timer);
        cancel();
      }
      this.pendingTimers.clear();
      for (const cancel of this.heldForever) cancel();
      this.heldForever.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const record: LocalKmsRequestRecord = {
      sequence: this.log.length + 1,
      atMs: this.clock.now(),
      method: req.method ?? '',
      hasSecurityToken: req.headers['x-acs-security-token'] !== undefined,
      httpStatus: 0,
    };
    this.log.push(record);
    const body = await readBody(req);
    if (body === undefined) return void res.destroy();
    const action = header(req, 'x-acs-action');
    const version = header(req, 'x-acs-version');
    if (action !== undefined) record.action = action;
    if (version !== undefined) record.version = version;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params: Record<string, string> = Object.fromEntries(url.searchParams);
    if ((header(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
    if (params['SecretName'] !== undefined) record.secretName = params['SecretName'];
    if (params['VersionStage'] !== undefined) record.versionStage = params['VersionStage'];
    if (params['FetchExtendedConfig'] !== undefined) record.fetchExtendedConfig = params['FetchExtendedConfig'];

    const fault = this.nextFault();
    if (fault) {
      record.fault = fault.kind;
      if (fault.kind === 'latency') {
        if (!(await this.delay(fault.delayMs))) return void res.destroy();
      } else if (fault.kind === 'reset') {
        return void req.socket.destroy();
      } else if (fault.kind === 'garbage') {
        record.httpStatus = 502;
        res.writeHead(502, { 'content-type': 'text/html' });
        return void res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      } else {
        const [status, code, message] =
          fault.kind === 'unavailable'
            ? [503, 'ServiceUnavailableTemporary', 'Service Unavailable Temporary.']
            : fault.kind === 'throttle'
              ? [429, 'Rejected.Throttling', 'QPS Limit Exceeded']
              : fault.kind === 'internal'
                ? [500, 'InternalFailure', 'Internal Failure.']
                : [fault.httpStatus, fault.code, fault.message ?? fault.code];
        return this.sendError(res, record, new KmsFailure(status, code, message));
      }
    }

    try {
      const principal = this.authenticate(req, url, body, record);
      if (action !== ACTION) throw new KmsFailure(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method.`);
      if (version !== API_VERSION) throw new KmsFailure(400, 'InvalidVersion', `Specified parameter Version is not valid.`);
      const secretName = params['SecretName'];
      if (!secretName) throw new KmsFailure(400, 'MissingParameter', 'SecretName is mandatory for this action.');
      if (principal.allowedSecrets && !principal.allowedSecrets.includes(secretName)) {
        throw new KmsFailure(403, 'Forbidden.NoPermission', `This operation for "${secretName}" is forbidden by permission system.`);
      }
      const secret = this.options.store.getVersion(secretName, params['VersionStage'] ? { versionStage: params['VersionStage'] } : {});
      if (!secret) throw new KmsFailure(404, 'Forbidden.ResourceNotFound', 'The resource not exists.');
      record.httpStatus = 200;
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(toJson(secret, params['FetchExtendedConfig'] === 'true')));
    } catch (error) {
      if (!(error instanceof KmsFailure)) throw error;
      this.sendError(res, record, error);
    }
  }

  /** Checks the ACS3 signature and returns the principal, or throws the KMS error for what is wrong. */
  private authenticate(req: http.IncomingMessage, url: URL, body: Buffer, record: LocalKmsRequestRecord): LocalKmsPrincipal {
    const authorization = header(req, 'authorization');
    const algorithm = authorization?.split(' ', 1)[0];
    if (algorithm) record.signatureAlgorithm = algorithm;
    const parsed = parseAcs3Authorization(authorization);
    if (!parsed) throw new KmsFailure(400, 'IncompleteSignature', `The request signature does not conform to ${ACS3_ALGORITHM} standards.`);
    record.accessKeyId = parsed.accessKeyId;
    const signed = new Set(parsed.signedHeaders);
    const unsigned = [...REQUIRED_SIGNED_HEADERS, ...Object.keys(req.headers).filter((h) => h.startsWith('x-acs-'))].filter(
      (h) => !signed.has(h) || req.headers[h] === undefined,
    );
    if (unsigned.length > 0) throw new KmsFailure(400, 'IncompleteSignature', `Header ${unsigned[0]} must be present and signed.`);

    const hashedPayload = createHash('sha256').update(body).digest('hex');
    if (header(req, 'x-acs-content-sha256') !== hashedPayload) {
      throw new KmsFailure(400, 'IncompleteSignature', 'The x-acs-content-sha256 header does not match the request body.');
    }
    const dateMs = Date.parse(header(req, 'x-acs-date') ?? '');
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(header(req, 'x-acs-date') ?? '') || Number.isNaN(dateMs)) {
      throw new KmsFailure(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(dateMs - this.clock.now()) > this.maxClockSkewMs) {
      throw new KmsFailure(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }

    const principal = this.principals.get(parsed.accessKeyId);
    if (!principal) throw new KmsFailure(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const expected = acs3Signature(
      {
        method: req.method ?? 'GET',
        pathname: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(parsed.signedHeaders.map((h) => [h, header(req, h)])),
        signedHeaders: parsed.signedHeaders,
        hashedPayload,
      },
      principal.accessKeySecret,
    );
    if (!sameText(expected, parsed.signature)) {
      throw new KmsFailure(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
    }
    const token = header(req, 'x-acs-security-token');
    if (principal.securityToken !== undefined) {
      if (token === undefined) throw new KmsFailure(400, 'InvalidSecurityToken.Missing', 'The security token is missing.');
      if (!sameText(token, principal.securityToken)) {
        throw new KmsFailure(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not match the access key.');
      }
      if (principal.expiresAtMs !== undefined && this.clock.now() >= principal.expiresAtMs) {
        throw new KmsFailure(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
      }
    } else if (token !== undefined) {
      throw new KmsFailure(400, 'InvalidSecurityToken.Malformed', 'A security token was sent with a long-term access key.');
    }
    // Checked last, so a request with a bad signature cannot burn a nonce.
    const nonce = header(req, 'x-acs-signature-nonce') ?? '';
    if (this.seenNonces.has(nonce)) throw new KmsFailure(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    this.seenNonces.add(nonce);
    return principal;
  }

  private sendError(res: http.ServerResponse, record: LocalKmsRequestRecord, failure: KmsFailure): void {
    record.httpStatus = failure.httpStatus;
    record.errorCode = failure.code;
    const requestId = randomUUID().toUpperCase();
    res.writeHead(failure.httpStatus, { 'content-type': 'application/json;charset=utf-8' });
    res.end(
      JSON.stringify({
        RequestId: requestId,
        HostId: this.host,
        Code: failure.code,
        Message: failure.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${failure.code}&product=Kms`,
      }),
    );
  }

  private nextFault(): LocalKmsFault | undefined {
    const next = this.faults[0];
    if (!next) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) this.faults.shift();
    return next.fault;
  }

  /** Waits on the clock; resolves `false` when the server closes first. `Infinity` waits for the close. */
  private delay(delayMs: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    if (delayMs === Infinity) {
      // No timer: a clamped one would fire after about 24.8 days, or at once on a virtual clock moved that far.
      return new Promise((resolve) => this.heldForever.add(() => resolve(false)));
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pendingTimers.delete(timer);
        resolve(true);
      }, delayMs);
      this.pendingTimers.set(timer, () => resolve(false));
    });
  }
}

function toJson(secret: SecretVersionRecord, withExtendedConfig: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    RequestId: randomUUID().toUpperCase(),
    SecretName: secret.secretName,
    SecretType: secret.secretType,
    SecretData: secret.secretData,
    SecretDataType: secret.secretDataType,
    VersionId: secret.versionId,
    CreateTime: formatKmsDate(secret.createTimeMs),
    // The OpenAPI wraps the list in an object.
    VersionStages: { VersionStage: [...secret.versionStages] },
  };
  if (secret.lastRotationDateMs !== undefined) json['LastRotationDate'] = formatKmsDate(secret.lastRotationDateMs);
  if (secret.nextRotationDateMs !== undefined) json['NextRotationDate'] = formatKmsDate(secret.nextRotationDateMs);
  if (secret.automaticRotation !== undefined) json['AutomaticRotation'] = secret.automaticRotation;
  if (secret.rotationIntervalMs !== undefined) json['RotationInterval'] = `${Math.floor(secret.rotationIntervalMs / 1000)}s`;
  if (withExtendedConfig && secret.extendedConfig !== undefined) json['ExtendedConfig'] = secret.extendedConfig;
  return json;
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks);
}
