import type { IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import type * as OpenApiTypes from '@alicloud/openapi-client';
import type { RamCredentialsConfig } from '../../config/ram-credentials-config.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { checkAnsweredSecretName } from '../check-answered-secret-name.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { requestWithinBudget } from '../request-within-budget.js';
import type { SecretInfo } from '../secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../secret-source.js';
import { withAbortableHttpRequests } from './abortable-http-requests.js';
import { cjsDefaultExport } from '../../runtime/cjs-default-export.js';
import { createOpenApiCredential } from './open-api-credential.js';
import { resolveOpenApiEndpoint, type OpenApiEndpoint } from './open-api-endpoint.js';
import { openApiErrorToKmsError } from './open-api-error-to-kms-error.js';
import { loadOpenApiPackages, type OpenApiPackages } from './open-api-packages.js';
import { ConfigError, ConfigErrorCode } from '../../config/config-error.js';
import { waitFor } from '../../runtime/wait.js';
import { parseGetSecretValueResponse } from './parse-get-secret-value-response.js';

type OpenApiClientClass = typeof OpenApiTypes extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;

/** Options of {@link OpenApiSecretSource}: one `cache_client_region_id` entry plus the RAM identity. */
export interface OpenApiSecretSourceOptions {
  /** Region id, e.g. `cn-hangzhou`. */
  regionId: string;
  /**
   * Custom endpoint: a KMS instance gateway `<instance>.cryptoservice.kms.aliyuncs.com`, another host,
   * `host:port`, or an `https://` URL (plain `http://` only for loopback test servers). Default:
   * `kms.<regionId>.aliyuncs.com`, or `kms-vpc.<regionId>.aliyuncs.com` when `vpc`.
   */
  endpoint?: string;
  /** Use the VPC endpoint of the region. */
  vpc?: boolean;
  /**
   * PEM file of the CA that issued the endpoint's certificate (for an instance gateway: the downloaded
   * file with the root and the second CA). Replaces the system trust store for this endpoint.
   */
  caFilePath?: string;
  /** The same as `caFilePath`, as PEM text. */
  ca?: string;
  /** How to authenticate (`credentials_type` and its keys). */
  credentials: RamCredentialsConfig;
  /** TCP/TLS connect timeout in ms (also for STS and metadata calls). Default 5 000. */
  connectTimeoutMs?: number;
  /** Time allowed for the response once connected, in ms. Default 10 000. */
  readTimeoutMs?: number;
  /** Measures the per-call `timeoutMs` and arms its timer. Default {@link systemClock}. */
  clock?: Clock;
}

const API_VERSION = '2016-01-20';

/**
 * A {@link SecretSource} over the KMS OpenAPI `GetSecretValue` (version 2016-01-20, RPC style), signed with
 * a RAM identity by `@alicloud/openapi-client` (ACS3-HMAC-SHA256) and `@alicloud/credentials`. Works with
 * the shared gateway of a region (`kms[-vpc].<region>.aliyuncs.com`) and with a KMS instance gateway (custom
 * endpoint plus its CA). TLS certificates are always verified.
 *
 * One call is one HTTP request (no SDK retries: retries, backoff, throttle-aware pacing and failover belong
 * to `FailoverSecretSource`, the one retry layer). Each request uses its own connection
 * (`connection: close`), so no socket outlives a call.
 * An aborted call rejects at once and its request is destroyed (the SDK takes no signal: the request is
 * found through Node's `http.client.request.start` diagnostics channel). A per-call `timeoutMs` bounds
 * the call (`Kms.FetchTimeout`). An answer for another secret than the one asked for is refused
 * (`Kms.InvalidResponse`).
 */
export class OpenApiSecretSource implements SecretSource {
  readonly description: string;
  /** Where requests go. */
  readonly endpoint: OpenApiEndpoint;
  private readonly client: InstanceType<OpenApiClientClass>;
  private readonly hostname: string;
  private readonly clock: Clock;
  private readonly connectTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly closer = new AbortController();
  private readonly packages: OpenApiPackages;

  /**
   * @param options - region entry, credentials and timeouts
   * @throws ConfigError for a bad endpoint or region, an unreadable CA file, or unusable credentials
   */
  constructor(options: OpenApiSecretSourceOptions) {
    this.endpoint = resolveOpenApiEndpoint(options);
    this.description = `openapi(${this.endpoint.host})`;
    const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 5_000);
    const readTimeoutMs = positive('readTimeoutMs', options.readTimeoutMs ?? 10_000);
    const ca = loadCa(options);
    const credential = createOpenApiCredential(options.credentials, this.description, { connectTimeoutMs, readTimeoutMs });
    // The SDK is loaded here, by the first OpenAPI source, not when this package is imported.
    this.packages = loadOpenApiPackages();
    const { Config } = this.packages.openApi;
    const OpenApiClient = cjsDefaultExport<OpenApiClientClass>(this.packages.openApi);
    this.client = new OpenApiClient(
      new Config({
        credential,
        endpoint: this.endpoint.host,
        protocol: this.endpoint.protocol,
        regionId: options.regionId,
        connectTimeout: connectTimeoutMs,
        readTimeout: readTimeoutMs,
        userAgent: 'ali-oss-managed-credentials',
        ...(ca === undefined ? {} : { ca }),
      }),
    );
    this.hostname = new URL(`${this.endpoint.protocol}://${this.endpoint.host}`).hostname.replace(/^\[|\]$/g, '');
    this.clock = options.clock ?? systemClock;
    this.connectTimeoutMs = connectTimeoutMs;
    this.readTimeoutMs = readTimeoutMs;
  }

  /**
   * Calls `GetSecretValue` once; see the class description for errors, abort and `timeoutMs` (the request's
   * connect and read timeouts are clipped to it; at the deadline the request is destroyed and the call
   * rejects with a retryable `KmsError` `Kms.FetchTimeout`). The wait keeps the process alive unless
   * `options.keepAlive` is `false`.
   */
  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    if (this.closer.signal.aborted) throw this.closer.signal.reason;
    const callSignal = anySignal(this.closer.signal, options.signal);
    try {
      return await requestWithinBudget(
        (signal, remainingMs) => this.callOnce(request, signal, remainingMs),
        { ...options, signal: callSignal.signal },
        { clock: this.clock, secretName: request.secretName, source: this.description },
      );
    } finally {
      callSignal.dispose();
    }
  }

  /** Rejects calls in flight (destroying their requests) and refuses new ones. Idempotent. */
  close(): void {
    if (this.closer.signal.aborted) return;
    this.closer.abort(new KmsError(`${this.description} is closed`, { code: KmsErrorCode.SourceClosed, retryable: false, source: this.description }));
  }

  /** One signed request; its socket is destroyed when `signal` aborts. */
  private callOnce(request: GetSecretValueRequest, signal: AbortSignal, remainingMs: number): Promise<SecretInfo> {
    const query: Record<string, string> = {
      SecretName: request.secretName,
      FetchExtendedConfig: request.fetchExtendedConfig === false ? 'false' : 'true',
    };
    if (request.versionStage !== undefined && request.versionStage !== '') query['VersionStage'] = request.versionStage;
    const context = { source: this.description, secretName: request.secretName };
    // The SDK's timers (whole ms, on Node's timer clock) are clipped to the time left plus a little slack, so
    // the deadline, which destroys the request, comes first; they only back it up.
    const clip = (ms: number) => Math.max(1, Math.min(ms, Math.ceil(remainingMs) + SDK_TIMER_SLACK_MS));
    const { RuntimeOptions } = this.packages.teaUtil;
    const { Params, OpenApiRequest } = this.packages.openApi;
    const runtime = new RuntimeOptions({
      autoretry: false,
      ignoreSSL: false,
      connectTimeout: clip(this.connectTimeoutMs),
      readTimeout: clip(this.readTimeoutMs),
    });
    // The SDK's error drops the answer's headers; the throttle hints are kept from the response itself.
    let answerHeaders: IncomingHttpHeaders | undefined;
    const call = withAbortableHttpRequests(
      () =>
        this.client.callApi(
          new Params({
            action: 'GetSecretValue',
            version: API_VERSION,
            protocol: this.endpoint.protocol,
            pathname: '/',
            method: 'POST',
            authType: 'AK',
            style: 'RPC',
            reqBodyType: 'formData',
            bodyType: 'json',
          }),
          // connection: close keeps no idle socket in the SDK's shared keep-alive agent (not in the signature).
          new OpenApiRequest({ query, headers: { connection: 'close' } }),
          runtime,
        ),
      signal,
      (clientRequest) => clientRequest.host === this.hostname,
      (headers) => {
        answerHeaders = headers;
      },
    ).then(
      (response) => {
        const info = parseGetSecretValueResponse((response as { body?: unknown }).body, this.description);
        checkAnsweredSecretName(request.secretName, info.secretName, this.description);
        return info;
      },
      (error: unknown) => {
        throw openApiErrorToKmsError(error, answerHeaders === undefined ? context : { ...context, headers: answerHeaders });
      },
    );
    // The SDK may ignore the abort: the call still ends with it (its socket holds the process, not a timer).
    return waitFor(call, { clock: this.clock, signal, keepAlive: false });
  }
}

/** How much later than the deadline the SDK's own (clipped) timeouts fire. */
const SDK_TIMER_SLACK_MS = 20;

/** A signal that aborts when any of `signals` does (with its reason); `dispose` detaches it. */
function anySignal(...signals: (AbortSignal | undefined)[]): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const s of active) s.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of active) s.removeEventListener('abort', onAbort);
    },
  };
}

function loadCa(options: OpenApiSecretSourceOptions): string | undefined {
  const { caFilePath, ca, regionId } = options;
  if (caFilePath !== undefined && ca !== undefined) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `region ${regionId}: give caFilePath or ca, not both`, { field: 'caFilePath' });
  }
  let pem = ca;
  if (caFilePath !== undefined) {
    try {
      pem = readFileSync(caFilePath, 'utf8');
    } catch (cause) {
      throw new ConfigError(ConfigErrorCode.UnreadableFile, `region ${regionId}: caFilePath ${caFilePath} cannot be read`, { field: 'caFilePath', file: caFilePath }, { cause });
    }
  }
  if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(
      ConfigErrorCode.InvalidValue,
      `region ${regionId}: ${caFilePath === undefined ? 'ca' : `caFilePath ${caFilePath}`} contains no PEM certificate`,
      { field: caFilePath === undefined ? 'ca' : 'caFilePath', ...(caFilePath === undefined ? {} : { file: caFilePath }) },
    );
  }
  return pem;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `OpenApiSecretSource option ${name} must be a positive number of ms`, { field: name });
  }
  return value;
}
