import { readFileSync } from 'node:fs';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { checkAnsweredSecretName } from '../check-answered-secret-name.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { requestWithinBudget } from '../request-within-budget.js';
import { parseThrottleHints } from '../throttle-hints.js';
import { isThrottlingError } from '../throttle-pacing.js';
import type { SecretInfo } from '../secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../secret-source.js';
import { inspectCaBundle, type CaBundleInfo } from './ca-bundle.js';
import type { ClientKey } from './client-key.js';
import { DkmsHttpsTransport, type DkmsHttpResponse } from './dkms-https-transport.js';
import { dkmsMessages, type DkmsErrorBody, type DkmsGetSecretValueResponse } from './dkms-messages.js';
import { isRetryableDkmsError } from './dkms-retry-policy.js';
import { DKMS_API_VERSION, DKMS_CONTENT_TYPE, DKMS_SIGNATURE_METHOD, signDkmsRequest } from './dkms-signer.js';
import { toSecretInfo } from './secret-value-normalization.js';

/** Options of {@link DkmsSecretSource}. */
export interface DkmsSourceOptions {
  /** KMS instance endpoint, `host[:port]` (e.g. `kst-xxx.cryptoservice.kms.aliyuncs.com`); a leading `https://` is stripped. */
  endpoint: string;
  /** Region of the instance; informational (shown in `description`). */
  regionId?: string;
  /** The application access point ClientKey that signs requests. */
  clientKey: ClientKey;
  /** CA bundle PEM (root + intermediate, as downloaded from the console). Takes precedence over `caFilePath`. */
  ca?: string | Buffer;
  /** Path of the CA bundle file; read once, synchronously, by the constructor. */
  caFilePath?: string;
  /**
   * Turns off certificate and hostname verification. For tests only; a warning is emitted once through
   * `onWarning` when a source is created with it.
   */
  ignoreSslCerts?: boolean;
  /** TCP connect plus TLS handshake budget; default 5000 ms. */
  connectTimeoutMs?: number;
  /** Budget of one whole request (connect to last byte); default 10000 ms. */
  readTimeoutMs?: number;
  /** Larger response bodies are refused with `Kms.ResponseTooLarge`; default 1 MiB. */
  maxResponseBytes?: number;
  /** Time source for the `date` header, the request timeouts and the call's `timeoutMs`; default the system clock. */
  clock?: Clock;
  /** Appended to the `user-agent` header. */
  userAgent?: string;
  /** Receives warnings (insecure TLS); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

function optionsError(message: string): KmsError {
  return new KmsError(message, { code: KmsErrorCode.InvalidOptions, retryable: false });
}

/** `host[:port]` with an optional `https://` and trailing slash; rejects other schemes and paths. */
function parseEndpoint(raw: string): { host: string; hostname: string; port: number } {
  const trimmed = raw.trim().replace(/^https:\/\//i, '').replace(/\/$/, '');
  if (trimmed === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) || /[/?#@\s]/.test(trimmed)) {
    throw optionsError(`DKMS endpoint "${raw}" must be host[:port] (an optional https:// prefix is allowed)`);
  }
  let url: URL;
  try {
    url = new URL(`https://${trimmed}`);
  } catch {
    throw optionsError(`DKMS endpoint "${raw}" is not a valid host[:port]`);
  }
  return { host: trimmed, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? 443 : Number(url.port) };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw optionsError(`DKMS option ${name} must be a positive number of ms/bytes, got ${value}`);
  }
  return value;
}

/**
 * {@link SecretSource} for the KMS instance API ("DKMS", `dkms-gcs-0.2`): protobuf over HTTPS, signed with
 * an application access point ClientKey. Sends `FetchExtendedConfig=true` unless the request says `false`.
 *
 * One call is one signed HTTPS request: the source does not retry. Retries, backoff, throttle-aware pacing
 * and failover belong to `FailoverSecretSource` (which `secretSourceFromConfig` always builds, even around
 * one source). Errors say whether a retry may help: network errors, timeouts, 5xx, `Rejected.Throttling`,
 * `ServiceUnavailableTemporary` and `InternalFailure` are `retryable`; signature, authorization, permission
 * and parameter errors are not. A per-call `timeoutMs` bounds the call (`Kms.FetchTimeout`). An answer for
 * another secret than the one asked for is refused (`Kms.InvalidResponse`).
 *
 * Errors are {@link KmsError}s with `source` = `description`. An aborted `signal` rejects promptly with
 * `signal.reason` (by default a `DOMException` named `AbortError`) and destroys the request.
 */
export class DkmsSecretSource implements SecretSource {
  readonly description: string;
  private readonly host: string;
  private readonly clientKey: ClientKey;
  private readonly transport: DkmsHttpsTransport;
  private readonly clock: Clock;
  private readonly userAgent: string;
  private closed = false;

  /** @param options - endpoint, ClientKey, TLS settings and timeouts; throws `KmsError` `Kms.InvalidOptions` on bad values */
  constructor(options: DkmsSourceOptions) {
    const endpoint = parseEndpoint(options.endpoint);
    this.host = endpoint.host;
    this.description = `dkms(${endpoint.host}${options.regionId ? `, ${options.regionId}` : ''})`;
    if (!options.clientKey?.keyId || !options.clientKey.privateKey) {
      throw optionsError('DKMS option clientKey is required (load it with readClientKeyFile or clientKeyFromPem)');
    }
    this.clientKey = options.clientKey;
    this.clock = options.clock ?? systemClock;
    this.userAgent =
      `AlibabaCloud (${process.platform}; ${process.arch}) Node.js/${process.versions.node}` +
      `${options.userAgent ? ` ${options.userAgent}` : ''} ali-oss-managed-credentials-dkms`;

    let ca = options.ca;
    let caInfo: CaBundleInfo | undefined;
    if (ca === undefined && options.caFilePath !== undefined) {
      try {
        ca = readFileSync(options.caFilePath);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw optionsError(`DKMS caFilePath ${options.caFilePath} cannot be read (${code})`);
      }
    }
    if (ca !== undefined) {
      const origin = options.ca !== undefined ? 'ca option' : (options.caFilePath as string);
      caInfo = inspectCaBundle(ca.toString(), origin);
      if (caInfo.certificateCount === 0) throw optionsError(`DKMS CA bundle (${origin}) contains no PEM certificate`);
    }
    const ignoreSslCerts = options.ignoreSslCerts === true;
    if (ignoreSslCerts) {
      const warn = options.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'ALI_OSS_MC_INSECURE_TLS' }));
      warn(
        `ignoreSslCerts is set for ${this.description}: TLS certificate and hostname verification are OFF, ` +
          'so anyone on the network path can impersonate KMS and read your secrets. Use only in tests; set caFilePath instead.',
      );
    }
    this.transport = new DkmsHttpsTransport({
      hostname: endpoint.hostname,
      port: endpoint.port,
      ...(ca === undefined ? {} : { ca }),
      ...(caInfo === undefined ? {} : { caInfo }),
      ignoreSslCerts,
      connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 5000),
      readTimeoutMs: positive('readTimeoutMs', options.readTimeoutMs, 10_000),
      maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, 1024 * 1024),
      clock: this.clock,
      description: this.description,
    });
  }

  /**
   * Calls GetSecretValue once (one signed request). With `timeoutMs` the call settles within it: the request's
   * connect and read timeouts are clipped to it, and a request still running at the deadline is destroyed and
   * the call rejects with a retryable `KmsError` `Kms.FetchTimeout` naming what it met. The wait keeps the
   * process alive unless `options.keepAlive` is `false`.
   */
  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    this.assertOpen();
    const body = dkmsMessages.encodeGetSecretValueRequest({
      SecretName: request.secretName,
      ...(request.versionStage ? { VersionStage: request.versionStage } : {}),
      FetchExtendedConfig: request.fetchExtendedConfig !== false,
    });
    const send = async (signal: AbortSignal, remainingMs: number): Promise<SecretInfo> => {
      let response: DkmsHttpResponse;
      try {
        response = await this.transport.send(this.signedHeaders(body), body, { signal, budgetMs: remainingMs });
      } catch (error) {
        // close() destroyed the connection under this request.
        this.assertOpen();
        throw error;
      }
      return this.readResponse(response, request.secretName);
    };
    return requestWithinBudget(send, options, { clock: this.clock, secretName: request.secretName, source: this.description });
  }

  /** Destroys the keep-alive agent; later calls reject with `KmsError` `Kms.SourceClosed`. Idempotent. */
  close(): void {
    this.closed = true;
    this.transport.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new KmsError(`${this.description} is closed`, { code: KmsErrorCode.SourceClosed, retryable: false, source: this.description });
    }
  }

  /** Fresh date and signature for every attempt. */
  private signedHeaders(body: Buffer): Record<string, string> {
    return signDkmsRequest({
      method: 'POST',
      body,
      date: new Date(this.clock.now()),
      privateKey: this.clientKey.privateKey,
      headers: {
        accept: DKMS_CONTENT_TYPE,
        host: this.host,
        'user-agent': this.userAgent,
        'x-kms-apiversion': DKMS_API_VERSION,
        'x-kms-apiname': 'GetSecretValue',
        'x-kms-signaturemethod': DKMS_SIGNATURE_METHOD,
        'x-kms-acccesskeyid': this.clientKey.keyId,
        'content-type': DKMS_CONTENT_TYPE,
        'content-length': String(body.length),
      },
    }).headers;
  }

  private readResponse(response: DkmsHttpResponse, secretName: string): SecretInfo {
    const { status, body } = response;
    if (status >= 400) throw this.errorFromBody(response);
    let decoded: DkmsGetSecretValueResponse | undefined;
    try {
      decoded = dkmsMessages.decodeGetSecretValueResponse(body);
    } catch {
      decoded = undefined;
    }
    if (!decoded || decoded.SecretName === '') {
      throw new KmsError(
        `DKMS ${this.description} answered HTTP ${status} with a body that is not a GetSecretValueResponse ` +
          `(${response.contentType ?? 'no content type'}, ${body.length} bytes)`,
        { code: KmsErrorCode.InvalidResponse, httpStatus: status, retryable: false, source: this.description },
      );
    }
    checkAnsweredSecretName(secretName, decoded.SecretName, this.description);
    return toSecretInfo(decoded, secretName);
  }

  private errorFromBody(response: DkmsHttpResponse): KmsError {
    const { status, body } = response;
    let decoded: DkmsErrorBody | undefined;
    try {
      decoded = dkmsMessages.decodeError(body);
    } catch {
      decoded = undefined;
    }
    if (!decoded || decoded.ErrorCode === '') {
      // A proxy page or a truncated answer: report status and size only, never the body.
      return new KmsError(
        `DKMS ${this.description} answered HTTP ${status} with a body that is not a protobuf Error ` +
          `(${response.contentType ?? 'no content type'}, ${body.length} bytes)`,
        { code: KmsErrorCode.HttpError, httpStatus: status, retryable: isRetryableDkmsError('', status), source: this.description },
      );
    }
    const code = decoded.ErrorCode;
    const throttleHints = isThrottlingError({ code, httpStatus: status }) ? parseThrottleHints(response.headers) : undefined;
    return new KmsError(`DKMS ${this.description} GetSecretValue failed: ${code}: ${decoded.ErrorMessage || '(no message)'}`, {
      code,
      httpStatus: status,
      ...(throttleHints === undefined ? {} : { throttleHints }),
      ...(decoded.RequestId ? { requestId: decoded.RequestId } : {}),
      retryable: isRetryableDkmsError(code, status),
      source: this.description,
    });
  }
}
