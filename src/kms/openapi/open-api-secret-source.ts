import { readFileSync } from 'node:fs';
import * as openApiModule from '@alicloud/openapi-client';
import type * as OpenApiTypes from '@alicloud/openapi-client';
import { Config, OpenApiRequest, Params } from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import type { RamCredentialsConfig } from '../../config/ram-credentials-config.js';
import { KmsError } from '../kms-error.js';
import type { SecretInfo } from '../secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../secret-source.js';
import { cjsDefaultExport } from './cjs-default-export.js';
import { createOpenApiCredential } from './open-api-credential.js';
import { resolveOpenApiEndpoint, type OpenApiEndpoint } from './open-api-endpoint.js';
import { openApiErrorToKmsError } from './open-api-error-to-kms-error.js';
import { OpenApiSourceConfigError } from './open-api-source-config-error.js';
import { parseGetSecretValueResponse } from './parse-get-secret-value-response.js';

type OpenApiClientClass = typeof OpenApiTypes extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;
const OpenApiClient = cjsDefaultExport<OpenApiClientClass>(openApiModule);

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
}

const API_VERSION = '2016-01-20';

/**
 * A {@link SecretSource} over the KMS OpenAPI `GetSecretValue` (version 2016-01-20, RPC style), signed with
 * a RAM identity by `@alicloud/openapi-client` (ACS3-HMAC-SHA256) and `@alicloud/credentials`. Works with
 * the shared gateway of a region (`kms[-vpc].<region>.aliyuncs.com`) and with a KMS instance gateway (custom
 * endpoint plus its CA). TLS certificates are always verified.
 *
 * One call is one HTTP request (no SDK retries: failover and backoff belong to `FailoverSecretSource` and
 * the cache). Each request uses its own connection (`connection: close`), so no socket outlives a call.
 * An aborted call rejects at once; the request itself is not cancellable through the SDK and ends at the
 * latest after the connect + read timeouts, its outcome ignored.
 */
export class OpenApiSecretSource implements SecretSource {
  readonly description: string;
  /** Where requests go. */
  readonly endpoint: OpenApiEndpoint;
  private readonly client: InstanceType<OpenApiClientClass>;
  private readonly runtime: RuntimeOptions;
  private readonly closer = new AbortController();

  /**
   * @param options - region entry, credentials and timeouts
   * @throws OpenApiSourceConfigError for a bad endpoint or region, an unreadable CA file, or unusable credentials
   */
  constructor(options: OpenApiSecretSourceOptions) {
    this.endpoint = resolveOpenApiEndpoint(options);
    this.description = `openapi(${this.endpoint.host})`;
    const connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 5_000);
    const readTimeoutMs = positive('readTimeoutMs', options.readTimeoutMs ?? 10_000);
    const ca = loadCa(options);
    const credential = createOpenApiCredential(options.credentials, this.description, { connectTimeoutMs, readTimeoutMs });
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
    this.runtime = new RuntimeOptions({ autoretry: false, ignoreSSL: false, connectTimeout: connectTimeoutMs, readTimeout: readTimeoutMs });
  }

  /** Calls `GetSecretValue` once; see the class description for errors and abort. */
  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    const { signal } = options;
    if (this.closer.signal.aborted) throw this.closer.signal.reason;
    signal?.throwIfAborted();
    const query: Record<string, string> = {
      SecretName: request.secretName,
      FetchExtendedConfig: request.fetchExtendedConfig === false ? 'false' : 'true',
    };
    if (request.versionStage !== undefined && request.versionStage !== '') query['VersionStage'] = request.versionStage;
    const context = { source: this.description, secretName: request.secretName };
    const call = this.client
      .callApi(
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
        this.runtime,
      )
      .then(
        (response) => parseGetSecretValueResponse((response as { body?: unknown }).body, this.description),
        (error: unknown) => {
          throw openApiErrorToKmsError(error, context);
        },
      );
    return untilAborted(call, signal, this.closer.signal);
  }

  /** Rejects calls in flight and refuses new ones. Idempotent. */
  close(): void {
    if (this.closer.signal.aborted) return;
    this.closer.abort(new KmsError(`${this.description} is closed`, { code: 'OpenApi.Closed', retryable: false, source: this.description }));
  }
}

/** `call`, or the reason of whichever signal aborts first; `call`'s late outcome is ignored. */
function untilAborted<T>(call: Promise<T>, ...signals: (AbortSignal | undefined)[]): Promise<T> {
  const active = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (event: Event) => {
      cleanup();
      reject((event.target as AbortSignal).reason);
    };
    const cleanup = () => {
      for (const s of active) s.removeEventListener('abort', onAbort);
    };
    for (const s of active) s.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}

function loadCa(options: OpenApiSecretSourceOptions): string | undefined {
  const { caFilePath, ca, regionId } = options;
  if (caFilePath !== undefined && ca !== undefined) {
    throw new OpenApiSourceConfigError('OpenApiConfig.InvalidCa', `region ${regionId}: give caFilePath or ca, not both`);
  }
  let pem = ca;
  if (caFilePath !== undefined) {
    try {
      pem = readFileSync(caFilePath, 'utf8');
    } catch (cause) {
      throw new OpenApiSourceConfigError('OpenApiConfig.CaFileUnreadable', `region ${regionId}: caFilePath ${caFilePath} cannot be read`, { cause });
    }
  }
  if (pem !== undefined && !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new OpenApiSourceConfigError(
      'OpenApiConfig.InvalidCa',
      `region ${regionId}: ${caFilePath === undefined ? 'ca' : `caFilePath ${caFilePath}`} contains no PEM certificate`,
    );
  }
  return pem;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new OpenApiSourceConfigError('OpenApiConfig.InvalidOption', `OpenApiSecretSource option ${name} must be a positive number of ms`);
  }
  return value;
}
