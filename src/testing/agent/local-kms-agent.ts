import { once } from 'node:events';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretInfo } from '../../kms/secret-info.js';
import type { SecretSource } from '../../kms/secret-source.js';
import { systemClock, type Clock } from '../../runtime/clock.js';
import { formatKmsDate, type SecretStore, type SecretVersionRecord } from '../secret-store.js';
import { getSecretValueJson } from '../kms/get-secret-value-json.js';

/** Options of {@link LocalKmsAgent.start}. */
export interface LocalKmsAgentOptions {
  /** Serve the secrets of this store (what the agent would fetch from KMS). Give this or `source`. */
  store?: SecretStore;
  /**
   * Fetch through this source instead, as the real agent fetches from KMS: e.g. a `DkmsSecretSource` pointed at
   * a LocalDkms, or an `OpenApiSecretSource` pointed at a LocalKms (their request counts then show the agent's
   * KMS load). The agent does not close it.
   */
  source?: SecretSource;
  /** The token callers must send in `X-KMS-Token`; default 32 random hex characters. */
  token?: string;
  /** How long a fetched secret is served from the agent's cache, ms; default 300 000 (the agent's 300 s). */
  ttlMs?: number;
  /** Serve the cached value when a refresh fails (the agent's `IgnoreTransientErrors`); default `true`. */
  ignoreTransientErrors?: boolean;
  /** Time for the TTL (its monotonic clock) and the request log; default the system clock. */
  clock?: Clock;
}

/** One request LocalKmsAgent received. Never holds a token or a secret value. */
export interface LocalKmsAgentRequestRecord {
  /** 1-based arrival number (restarts after `resetLog`). */
  readonly sequence: number;
  /** Wall-clock time of arrival, epoch ms. */
  readonly atMs: number;
  readonly method: string;
  /** The secret asked for, when the path names one. */
  readonly secretName?: string;
  /** `accepted`, `missing` (no token header) or `wrong`. */
  readonly token: 'accepted' | 'missing' | 'wrong';
  /** How the answer was made: from the cache, by a fetch (`miss`, `refresh`), or `none` (refused before). */
  readonly served: 'cache' | 'miss' | 'refresh' | 'stale' | 'none';
  /** The HTTP status sent. */
  readonly httpStatus: number;
}

interface CachedSecret {
  readonly body: Record<string, unknown>;
  readonly fetchedAtMonoMs: number;
}

/** A failure to pass on: the status and KMS code the agent answers with. */
interface UpstreamFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A local emulator of the official Alibaba Cloud KMS Agent, for tests: listens on 127.0.0.1 (random port),
 * answers `GET /v1/<secretName>` (and `GET /secretsmanager/get?secretId=<name>`) when the header
 * `X-KMS-Token` (or `X-Vault-Token`) holds its token (else HTTP 401), in `ResponseType` 0 form (KMS's own
 * GetSecretValue JSON). Like the agent it caches each secret for a TTL (300 s by default) and refreshes only
 * when the TTL has passed, so a rotated or revoked key is served until then; with `ignoreTransientErrors` it
 * serves the cached value when the refresh fails. Concurrent misses of one secret share one fetch. Errors of
 * the backing store or source are passed on as KMS JSON errors with their status. Logs every request
 * (no token, no value). TEST ONLY.
 */
export class LocalKmsAgent {
  #upstreamCalls = 0;
  #token: string;
  readonly #cache = new Map<string, CachedSecret>();
  readonly #inFlight = new Map<string, Promise<Record<string, unknown>>>();
  readonly #log: LocalKmsAgentRequestRecord[] = [];
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #ignoreTransientErrors: boolean;
  #closing: Promise<void> | undefined;
  readonly #store: SecretStore | undefined;
  readonly #source: SecretSource | undefined;

  private constructor(
    private readonly server: http.Server,
    /** The TCP port it listens on (127.0.0.1). */
    readonly port: number,
    options: LocalKmsAgentOptions,
  ) {
    // Only what is needed is kept: the token stays out of util.inspect of the emulator.
    this.#store = options.store;
    this.#source = options.source;
    this.#token = options.token ?? randomBytes(16).toString('hex');
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? 300_000;
    this.#ignoreTransientErrors = options.ignoreTransientErrors !== false;
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      request.resume();
      this.#answer(request).then(
        ({ status, body, contentType }) => {
          response.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
          response.end(body);
        },
        () => {
          response.writeHead(500, { 'content-type': 'text/plain' });
          response.end('internal error');
        },
      );
    });
  }

  /** Starts an agent on 127.0.0.1 with a random port. */
  static async start(options: LocalKmsAgentOptions): Promise<LocalKmsAgent> {
    if ((options.store === undefined) === (options.source === undefined)) {
      throw new TypeError('LocalKmsAgent.start needs exactly one of store and source');
    }
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs < 0)) {
      throw new TypeError('LocalKmsAgent option ttlMs must be a finite number >= 0');
    }
    const server = http.createServer({ keepAlive: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return new LocalKmsAgent(server, (server.address() as AddressInfo).port, options);
  }

  /** `127.0.0.1:<port>`, for the `endpoint` of a `cache_client_kms_agent_config_info` entry. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** The token callers must send. Secret. */
  get token(): string {
    return this.#token;
  }

  /** Replaces the token (as a restarted agent that wrote a new token file); the old one is refused from now on. */
  setToken(token: string): void {
    this.#token = token;
  }

  /** Writes the token to `path` (as the agent writes /var/run/kmstoken), mode 0600. */
  async writeTokenFile(path: string): Promise<void> {
    await writeFile(path, `${this.#token}\n`, { mode: 0o600 });
  }

  /** Forgets every cached secret, or one (as an agent restart would): the next request fetches it. */
  invalidate(secretName?: string): void {
    if (secretName === undefined) this.#cache.clear();
    else this.#cache.delete(secretName);
  }

  /** Every request so far, oldest first (a copy). */
  get requests(): readonly LocalKmsAgentRequestRecord[] {
    return [...this.#log];
  }

  /** Number of fetches from the store or source so far (the agent's KMS calls). */
  get upstreamCallCount(): number {
    return this.#upstreamCalls;
  }

  /** Number of requests received so far (refused ones included). */
  get callCount(): number {
    return this.#log.length;
  }

  /** Clears the request log and the upstream call count. */
  resetLog(): void {
    this.#log.length = 0;
    this.#upstreamCalls = 0;
  }

  /** Stops listening and drops open connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const closed = once(this.server, 'close');
      this.server.close();
      this.server.closeAllConnections();
      await closed;
    })();
    return this.#closing;
  }

  /** Same as {@link LocalKmsAgent.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #answer(request: http.IncomingMessage): Promise<{ status: number; body: string; contentType: string }> {
    const url = new URL(request.url ?? '/', 'http://agent');
    const secretName = secretNameOf(url);
    const token = this.#checkToken(request.headers['x-kms-token'] ?? request.headers['x-vault-token']);
    const record = (httpStatus: number, served: LocalKmsAgentRequestRecord['served']) =>
      this.#log.push({
        sequence: this.#log.length + 1,
        atMs: this.#clock.now(),
        method: request.method ?? '',
        ...(secretName === undefined ? {} : { secretName }),
        token,
        served,
        httpStatus,
      });
    if (token !== 'accepted') {
      record(401, 'none');
      return { status: 401, body: 'Unauthorized: missing or invalid X-KMS-Token', contentType: 'text/plain' };
    }
    if (request.method !== 'GET' || secretName === undefined) {
      record(request.method === 'GET' ? 404 : 405, 'none');
      return { status: request.method === 'GET' ? 404 : 405, body: 'Not Found', contentType: 'text/plain' };
    }
    const cached = this.#cache.get(secretName);
    const fresh = cached !== undefined && this.#clock.monotonicNow() - cached.fetchedAtMonoMs < this.#ttlMs;
    if (fresh) {
      record(200, 'cache');
      return json(200, cached.body);
    }
    try {
      const body = await this.#fetchShared(secretName);
      record(200, cached === undefined ? 'miss' : 'refresh');
      return json(200, body);
    } catch (error) {
      const failure = toFailure(error);
      // A transient failure (throttled, unavailable) leaves the cached value in service; a definite one does not.
      if (cached !== undefined && this.#ignoreTransientErrors && (failure.status >= 500 || failure.status === 429)) {
        record(200, 'stale');
        return json(200, cached.body);
      }
      record(failure.status, cached === undefined ? 'miss' : 'refresh');
      return json(failure.status, { Code: failure.code, Message: failure.message, RequestId: randomUUID().toUpperCase() });
    }
  }

  #checkToken(header: string | string[] | undefined): LocalKmsAgentRequestRecord['token'] {
    const sent = Array.isArray(header) ? header[0] : header;
    if (sent === undefined || sent === '') return 'missing';
    const expected = Buffer.from(this.#token);
    const given = Buffer.from(sent);
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'accepted' : 'wrong';
  }

  /** One fetch per secret at a time; the answer is cached for the TTL from when it came. */
  #fetchShared(secretName: string): Promise<Record<string, unknown>> {
    let pending = this.#inFlight.get(secretName);
    if (pending === undefined) {
      pending = this.#fetch(secretName).then(
        (body) => {
          this.#inFlight.delete(secretName);
          this.#cache.set(secretName, { body, fetchedAtMonoMs: this.#clock.monotonicNow() });
          return body;
        },
        (error: unknown) => {
          this.#inFlight.delete(secretName);
          throw error;
        },
      );
      this.#inFlight.set(secretName, pending);
    }
    return pending;
  }

  async #fetch(secretName: string): Promise<Record<string, unknown>> {
    this.#upstreamCalls += 1;
    const store = this.#store;
    if (store !== undefined) {
      const version = store.getVersion(secretName);
      if (version === undefined) throw Object.assign(new Error('The resource not exists.'), { status: 404, code: 'Forbidden.ResourceNotFound' });
      return fromRecord(version);
    }
    return fromInfo(await (this.#source as SecretSource).getSecretValue({ secretName, fetchExtendedConfig: true }, { keepAlive: false }));
  }
}

/** The secret a request names: `/v1/<name>` or `/secretsmanager/get?secretId=<name>`. */
function secretNameOf(url: URL): string | undefined {
  if (url.pathname.startsWith('/v1/') && url.pathname.length > 4) {
    try {
      return decodeURIComponent(url.pathname.slice(4));
    } catch {
      return undefined;
    }
  }
  if (url.pathname === '/secretsmanager/get') return url.searchParams.get('secretId') ?? undefined;
  return undefined;
}

function json(status: number, body: Record<string, unknown>): { status: number; body: string; contentType: string } {
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

/** A store or source failure as the agent passes it on: the KMS code and status when known, else 500. */
function toFailure(error: unknown): UpstreamFailure {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { status?: unknown; httpStatus?: unknown; code?: unknown; message?: unknown };
  const status = typeof fields.status === 'number' ? fields.status : typeof fields.httpStatus === 'number' ? fields.httpStatus : 500;
  return {
    status,
    code: typeof fields.code === 'string' ? fields.code : 'InternalFailure',
    message: typeof fields.message === 'string' ? fields.message : 'the agent could not fetch the secret',
  };
}

/** ResponseType 0: KMS's GetSecretValue JSON (the agent fetches with `FetchExtendedConfig`). */
function fromRecord(secret: SecretVersionRecord): Record<string, unknown> {
  return getSecretValueJson(secret, true);
}

function fromInfo(info: SecretInfo): Record<string, unknown> {
  const body: Record<string, unknown> = {
    RequestId: info.requestId ?? randomUUID().toUpperCase(),
    SecretName: info.secretName,
    SecretData: info.secretData,
    VersionStages: { VersionStage: [...info.versionStages] },
  };
  if (info.secretType !== undefined) body['SecretType'] = info.secretType;
  if (info.secretDataType !== undefined) body['SecretDataType'] = info.secretDataType;
  if (info.versionId !== undefined) body['VersionId'] = info.versionId;
  if (info.createTimeMs !== undefined) body['CreateTime'] = formatKmsDate(info.createTimeMs);
  if (info.lastRotationDateMs !== undefined) body['LastRotationDate'] = formatKmsDate(info.lastRotationDateMs);
  if (info.nextRotationDateMs !== undefined) body['NextRotationDate'] = formatKmsDate(info.nextRotationDateMs);
  if (info.automaticRotation !== undefined) body['AutomaticRotation'] = info.automaticRotation;
  if (info.rotationIntervalMs !== undefined) body['RotationInterval'] = `${Math.floor(info.rotationIntervalMs / 1000)}s`;
  if (info.extendedConfig !== undefined) body['ExtendedConfig'] = JSON.stringify(info.extendedConfig);
  return body;
}
