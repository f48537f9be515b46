import { systemClock, type Clock } from '../../runtime/clock.js';
import { checkAnsweredSecretName } from '../check-answered-secret-name.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { parseGetSecretValueResponse } from '../openapi/parse-get-secret-value-response.js';
import { requestWithinBudget } from '../request-within-budget.js';
import type { SecretInfo } from '../secret-info.js';
import type { GetSecretValueOptions, GetSecretValueRequest, SecretSource } from '../secret-source.js';
import { DEFAULT_KMS_AGENT_ENDPOINT, parseKmsAgentEndpoint } from './kms-agent-endpoint.js';
import { KmsAgentHttp, type KmsAgentHttpResponse } from './kms-agent-http.js';
import { readKmsAgentToken, type KmsAgentTokenSource } from './kms-agent-token.js';

/** Options of {@link KmsAgentSecretSource}. */
export interface KmsAgentSourceOptions {
  /** `host:port` (or `http://host:port`) of the agent; default `127.0.0.1:2025`. Loopback only, unless `allowNonLoopback`. */
  endpoint?: string;
  /**
   * Accept an endpoint that is not a loopback address. The agent speaks plain HTTP and the token and the
   * secrets cross the network unencrypted: only for an agent reached over a link you trust (e.g. a pod's
   * shared network namespace under another address). Default `false`.
   */
  allowNonLoopback?: boolean;
  /** Read the `X-KMS-Token` from this file, at every request. */
  tokenFromFilePath?: string;
  /** Read the `X-KMS-Token` from this environment variable (a value, or `file://<path>`), at every request. */
  tokenFromEnvVariable?: string;
  /** Budget of one request, ms; default 5 000 (the agent may have to ask KMS first). */
  timeoutMs?: number;
  /** Larger answers are refused with `Kms.ResponseTooLarge`; default 1 MiB. */
  maxResponseBytes?: number;
  /** Environment the token variables are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The file tried last when no token source is set; default `/var/run/kmstoken` (for tests). */
  defaultTokenFile?: string;
  /** Time for the request timeout and the call's budget; default the system clock. */
  clock?: Clock;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

function optionsError(message: string): KmsError {
  return new KmsError(message, { code: KmsErrorCode.InvalidOptions, retryable: false });
}

/**
 * {@link SecretSource} for the official Alibaba Cloud KMS Agent, a process on the host (or a sidecar in the pod)
 * that holds the KMS credentials, caches secrets and serves them on `127.0.0.1:2025`: `GET /v1/<secretName>`
 * with the header `X-KMS-Token`, the answer in the agent's `ResponseType` 0 form (KMS's own GetSecretValue
 * JSON). The application then needs no ClientKey or RAM identity, and KMS sees one client per host.
 *
 * Plain HTTP to a loopback address only (anything else is refused unless `allowNonLoopback`). The token is
 * read at every request (a rewritten token file is picked up at once) and never appears in an error, a log,
 * `JSON.stringify` or `util.inspect`. One call is one request (the failover group retries). Errors are
 * {@link KmsError}s: `Kms.NetworkError` (agent not running), `Kms.ReadTimeout`, `Kms.AgentTokenRefused`
 * (401/403), `Kms.AgentTokenUnavailable`, `Kms.SecretNotFound` (404 without a KMS code), a KMS error code the
 * agent passed on, `Kms.InvalidResponse` (not a GetSecretValue answer, or one for another secret).
 *
 * The agent refreshes a secret on its own TTL (300 s by default) and has no forced refresh, so after an
 * emergency revoke it may serve the old AccessKey for up to one TTL; configure a KMS instance or region as well
 * to recover at once (the failover group goes around an agent that answers with a key known rejected).
 */
export class KmsAgentSecretSource implements SecretSource {
  readonly description: string;
  /** Messages name the agent, not KMS, when it keeps serving a rejected key (its cache lives until its TTL ends). */
  readonly servedBy = 'the KMS Agent';
  private readonly http: KmsAgentHttp;
  private readonly clock: Clock;
  private readonly tokenSource: KmsAgentTokenSource;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly defaultTokenFile: string | undefined;
  private closed = false;

  /** @param options - endpoint, token source, limits; throws `KmsError` `Kms.InvalidOptions` on bad values */
  constructor(options: KmsAgentSourceOptions = {}) {
    const endpoint = parseKmsAgentEndpoint(options.endpoint ?? DEFAULT_KMS_AGENT_ENDPOINT);
    if ('problem' in endpoint) throw optionsError(`KMS Agent endpoint "${options.endpoint ?? ''}" ${endpoint.problem}`);
    if (!endpoint.loopback && options.allowNonLoopback !== true) {
      throw optionsError(
        `KMS Agent endpoint ${endpoint.host} is not a loopback address: the token and the secrets would cross the network ` +
          'in plain HTTP. Use 127.0.0.1 (the agent listens there), or set allowNonLoopback if the link is trusted',
      );
    }
    if (options.tokenFromFilePath !== undefined && options.tokenFromEnvVariable !== undefined) {
      throw optionsError('KMS Agent options tokenFromFilePath and tokenFromEnvVariable cannot both be set; keep one');
    }
    this.description = `kms-agent(${endpoint.host})`;
    this.tokenSource =
      options.tokenFromFilePath !== undefined
        ? { fromFilePath: nonBlank('tokenFromFilePath', options.tokenFromFilePath) }
        : options.tokenFromEnvVariable !== undefined
          ? { fromEnvVariable: nonBlank('tokenFromEnvVariable', options.tokenFromEnvVariable) }
          : undefined;
    this.env = options.env ?? process.env;
    this.defaultTokenFile = options.defaultTokenFile;
    this.clock = options.clock ?? systemClock;
    this.http = new KmsAgentHttp({
      hostname: endpoint.hostname,
      port: endpoint.port,
      timeoutMs: positive('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
      maxResponseBytes: positive('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
      clock: this.clock,
      description: this.description,
    });
  }

  /**
   * Asks the agent once for the current version of the secret. The agent serves `ACSCurrent` only: another
   * `versionStage` is refused (`Kms.InvalidOptions`). With `timeoutMs` the call settles within it
   * (`Kms.FetchTimeout`); the wait keeps the process alive unless `options.keepAlive` is `false`.
   */
  async getSecretValue(request: GetSecretValueRequest, options: GetSecretValueOptions = {}): Promise<SecretInfo> {
    this.assertOpen();
    const { secretName } = request;
    if (request.versionStage !== undefined && request.versionStage !== 'ACSCurrent') {
      throw optionsError(`${this.description} serves the ACSCurrent version only, not "${request.versionStage}"`);
    }
    const send = async (signal: AbortSignal, remainingMs: number): Promise<SecretInfo> => {
      const token = await readKmsAgentToken(
        this.tokenSource,
        { env: this.env, ...(this.defaultTokenFile === undefined ? {} : { defaultTokenFile: this.defaultTokenFile }) },
        this.description,
      );
      let response: KmsAgentHttpResponse;
      try {
        response = await this.http.get(`/v1/${encodeURIComponent(secretName)}`, { 'x-kms-token': token.value, accept: 'application/json' }, signal, remainingMs);
      } catch (error) {
        this.assertOpen(); // close() destroyed the connection under this request
        throw error;
      }
      return this.readResponse(response, secretName, token.origin);
    };
    return requestWithinBudget(send, options, { clock: this.clock, secretName, source: this.description });
  }

  /** Destroys the keep-alive sockets; later calls reject with `Kms.SourceClosed`. Idempotent. */
  close(): void {
    this.closed = true;
    this.http.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new KmsError(`${this.description} is closed`, { code: KmsErrorCode.SourceClosed, retryable: false, source: this.description });
    }
  }

  private readResponse(response: KmsAgentHttpResponse, secretName: string, tokenOrigin: string): SecretInfo {
    const { status } = response;
    const body = parseJson(response.body);
    if (status >= 200 && status < 300) {
      if (body === undefined) throw this.invalid(`answered HTTP ${status} with a body that is not JSON (${response.body.length} bytes)`, status);
      const info = parseGetSecretValueResponse(body, this.description);
      checkAnsweredSecretName(secretName, info.secretName, this.description);
      return info;
    }
    // Only the agent's code and message are used, never the body as a whole (it is not ours to echo).
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const code = firstString(fields, ['Code', 'ErrorCode', 'code']);
    const message = firstString(fields, ['Message', 'ErrorMessage', 'message']);
    const requestId = firstString(fields, ['RequestId', 'requestId']);
    const details = { httpStatus: status, source: this.description, ...(requestId === undefined ? {} : { requestId }) };
    if (status === 401 || status === 403) {
      if (code === undefined || !/^Forbidden\.(ResourceNotFound|NoPermission|RAM)/.test(code)) {
        throw new KmsError(
          `${this.description} refused the token from ${tokenOrigin} (HTTP ${status}): it is not the token this agent expects; ` +
            'point tokenFromFilePath or tokenFromEnvVariable at the token the agent was started with',
          { ...details, code: KmsErrorCode.AgentTokenRefused, retryable: false },
        );
      }
    }
    if (code !== undefined) {
      throw new KmsError(`${this.description} GetSecretValue of "${secretName}" failed: ${code}: ${message ?? '(no message)'}`, {
        ...details,
        code,
        retryable: status === 429 || status >= 500 || /Throttling|ServiceUnavailable|InternalFailure/.test(code),
      });
    }
    if (status === 404) {
      throw new KmsError(`${this.description} does not serve the secret "${secretName}" (HTTP 404): check its name and the agent's permissions`, {
        ...details,
        code: KmsErrorCode.SecretNotFound,
        retryable: false,
      });
    }
    throw new KmsError(`${this.description} answered HTTP ${status} (${response.body.length} bytes) without a KMS error code`, {
      ...details,
      code: KmsErrorCode.HttpError,
      retryable: status === 429 || status >= 500,
    });
  }

  private invalid(problem: string, status: number): KmsError {
    return new KmsError(`${this.description} ${problem}`, { code: KmsErrorCode.InvalidResponse, httpStatus: status, retryable: false, source: this.description });
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function firstString(fields: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = fields[name];
    if (typeof value === 'string' && value !== '') return value.slice(0, 200);
  }
  return undefined;
}

function nonBlank(name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw optionsError(`KMS Agent option ${name} must be a non-empty string`);
  return value.trim();
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw optionsError(`KMS Agent option ${name} must be a positive number, got ${value}`);
  return value;
}
