import type { Clock } from '../../runtime/clock.js';
import { LocalOpenApi } from '../openapi/local-open-api.js';
import type { OpenApiCall } from '../openapi/open-api-call.js';
import type { OpenApiFault } from '../openapi/open-api-fault.js';
import { OpenApiServiceError } from '../openapi/open-api-service-error.js';
import { observeRequests, type ObservedRequest } from '../openapi/request-observer.js';
import type { SecretStore } from '../secret-store.js';
import { getSecretValueJson } from './get-secret-value-json.js';
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

const ACTION = 'GetSecretValue';
const API_VERSION = '2016-01-20';
const MAX_BODY_BYTES = 1 << 20;

/** KMS' own answers for the ready-made faults (the gateway's defaults differ). */
function toOpenApiFault(fault: LocalKmsFault): OpenApiFault {
  switch (fault.kind) {
    case 'unavailable':
      return { kind: 'unavailable', httpStatus: 503, code: 'ServiceUnavailableTemporary', message: 'Service Unavailable Temporary.' };
    case 'throttle':
      return { kind: 'throttle', httpStatus: 429, code: 'Rejected.Throttling', message: 'QPS Limit Exceeded', ...(fault.headers ? { headers: fault.headers } : {}) };
    case 'internal':
      return { kind: 'internal', httpStatus: 500, code: 'InternalFailure', message: 'Internal Failure.' };
    default:
      return fault;
  }
}

/**
 * A local emulator of the KMS OpenAPI `GetSecretValue` (2016-01-20, RPC style, JSON), for tests of code
 * that uses `@alicloud/openapi-client`: a {@link LocalOpenApi} gateway with one handler. The gateway verifies
 * the ACS3-HMAC-SHA256 signature that client sends (plus content hash, date skew, nonce reuse and the STS token
 * of temporary credentials) against the principals it knows; LocalKms serves a {@link SecretStore}, answers
 * JSON errors with KMS codes and statuses, injects faults on demand, and logs every request without secrets.
 * Listens on 127.0.0.1, random port. TEST ONLY.
 */
export class LocalKms {
  /** Per AccessKeyId, the secrets it may read (undefined: all). */
  private readonly allowedSecrets = new Map<string, readonly string[] | undefined>();
  /** Requests in arrival order, with their sequence numbers (restarting after resetLog). */
  private readonly log: { sequence: number; observed: ObservedRequest }[] = [];

  /** `http` or `https`. */
  readonly protocol: 'http' | 'https';

  private constructor(
    private readonly api: LocalOpenApi,
    private readonly store: SecretStore,
  ) {
    this.protocol = api.protocol;
  }

  /** Starts a LocalKms on 127.0.0.1 with a random port. */
  static async start(options: LocalKmsOptions): Promise<LocalKms> {
    const api = await LocalOpenApi.start({
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.maxClockSkewMs !== undefined ? { maxClockSkewMs: options.maxClockSkewMs } : {}),
      product: 'Kms',
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const kms = new LocalKms(api, options.store);
    observeRequests(api, (observed) => kms.log.push({ sequence: kms.log.length + 1, observed }));
    api.handle({ action: ACTION, version: API_VERSION }, (call) => kms.getSecretValue(call));
    return kms;
  }

  /** `127.0.0.1:<port>`, for an `endpoint` option. */
  get host(): string {
    return this.api.host;
  }

  /** `http(s)://127.0.0.1:<port>`. */
  get endpoint(): string {
    return this.api.endpoint;
  }

  /** Every request so far, oldest first (a copy). */
  get requests(): readonly LocalKmsRequestRecord[] {
    return this.log.map(({ sequence, observed }) => toKmsRecord(sequence, observed));
  }

  /** Number of requests received so far (including failed and faulted ones). */
  get callCount(): number {
    return this.log.length;
  }

  /** Accepts a long-term AccessKey or STS credentials (replaces an entry with the same AccessKeyId). */
  addPrincipal(principal: LocalKmsPrincipal): void {
    this.api.keys.revoke(principal.accessKeyId);
    this.api.keys.add({
      accessKeyId: principal.accessKeyId,
      accessKeySecret: principal.accessKeySecret,
      ...(principal.securityToken ? { securityToken: principal.securityToken, expiresAtMs: principal.expiresAtMs } : {}),
    });
    this.allowedSecrets.set(principal.accessKeyId, principal.allowedSecrets && [...principal.allowedSecrets]);
  }

  /** Forgets an AccessKeyId: its requests fail with `InvalidAccessKeyId.NotFound`. */
  removePrincipal(accessKeyId: string): void {
    this.api.keys.revoke(accessKeyId);
    this.allowedSecrets.delete(accessKeyId);
  }

  /** Applies `fault` to the next `times` requests (default 1; `Infinity` until {@link clearFaults}). */
  injectFault(fault: LocalKmsFault, times = 1): void {
    this.api.injectFault(toOpenApiFault(fault), { times });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.api.clearFaults();
  }

  /** Clears the request log. */
  resetLog(): void {
    this.log.length = 0;
    this.api.resetLog();
  }

  /** Stops listening, drops open connections and pending delayed answers. Idempotent. */
  close(): Promise<void> {
    return this.api.close();
  }

  /** Same as {@link LocalKms.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private getSecretValue(call: OpenApiCall): Record<string, unknown> {
    const secretName = call.params['SecretName'];
    if (!secretName) throw new OpenApiServiceError({ status: 400, code: 'MissingParameter', message: 'SecretName is mandatory for this action.' });
    const allowed = call.accessKeyId === undefined ? undefined : this.allowedSecrets.get(call.accessKeyId);
    if (allowed && !allowed.includes(secretName)) {
      throw new OpenApiServiceError({
        status: 403,
        code: 'Forbidden.NoPermission',
        message: `This operation for "${secretName}" is forbidden by permission system.`,
      });
    }
    const versionStage = call.params['VersionStage'];
    const secret = this.store.getVersion(secretName, versionStage ? { versionStage } : {});
    if (!secret) throw new OpenApiServiceError({ status: 404, code: 'Forbidden.ResourceNotFound', message: 'The resource not exists.' });
    return getSecretValueJson(secret, call.params['FetchExtendedConfig'] === 'true');
  }
}

/** LocalKms' view of a request: the gateway's live record plus the KMS parameters. */
function toKmsRecord(sequence: number, { record, params, authorizationScheme }: ObservedRequest): LocalKmsRequestRecord {
  const kms: LocalKmsRequestRecord = {
    sequence,
    atMs: record.atMs,
    method: record.method,
    hasSecurityToken: record.hasSecurityToken,
    httpStatus: record.status,
  };
  if (record.action !== undefined) kms.action = record.action;
  if (record.version !== undefined) kms.version = record.version;
  if (authorizationScheme !== undefined) kms.signatureAlgorithm = authorizationScheme;
  else if (record.signature === 'rpc-v1') kms.signatureAlgorithm = params['SignatureMethod'] ?? 'HMAC-SHA1';
  if (record.accessKeyId !== undefined) kms.accessKeyId = record.accessKeyId;
  if (params['SecretName'] !== undefined) kms.secretName = params['SecretName'];
  if (params['VersionStage'] !== undefined) kms.versionStage = params['VersionStage'];
  if (params['FetchExtendedConfig'] !== undefined) kms.fetchExtendedConfig = params['FetchExtendedConfig'];
  if (record.fault !== undefined) kms.fault = record.fault;
  if (record.errorCode !== undefined) kms.errorCode = record.errorCode;
  return kms;
}

