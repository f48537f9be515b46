import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { readCappedAnswer } from '../read-capped-answer.js';
import { tlsFailureHint, type CaBundleInfo } from './ca-bundle.js';

/** Options of {@link DkmsHttpsTransport}. */
export interface DkmsHttpsTransportOptions {
  /** Host name or IP (no brackets) to connect to. */
  hostname: string;
  /** TCP port. */
  port: number;
  /** CA bundle PEM; `undefined` uses Node's default trust store. */
  ca?: string | Buffer;
  /** Parsed view of `ca`, for error hints. */
  caInfo?: CaBundleInfo;
  /** Disables certificate and hostname verification. */
  ignoreSslCerts: boolean;
  /** TCP connect + TLS handshake budget. */
  connectTimeoutMs: number;
  /** Budget of the whole request, from start to the last response byte. */
  readTimeoutMs: number;
  /** Larger response bodies are refused. */
  maxResponseBytes: number;
  clock: Clock;
  /** Name used in error messages and `KmsError.source`. */
  description: string;
}

/** Per-request options of {@link DkmsHttpsTransport.send}. */
export interface DkmsSendOptions {
  /** Aborts the request: it is destroyed and `send` rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Ms left of the caller's budget: the connect and whole-request timeouts are clipped to it, so no
   * request outlives the budget. Default `Infinity` (the configured timeouts apply).
   */
  budgetMs?: number;
}

/** One HTTP answer, body fully read. */
export interface DkmsHttpResponse {
  status: number;
  contentType?: string;
  body: Buffer;
  /** The response headers (a throttled answer's hints are in them). */
  headers?: IncomingHttpHeaders;
}

/** OpenSSL/Node codes of certificate verification failures: configuration problems, not worth a retry. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

type Timeout = { kind: 'ConnectTimeout' | 'ReadTimeout'; ms: number };

/**
 * HTTPS POSTs to one DKMS endpoint over a keep-alive agent, with a connect budget, a whole-request budget,
 * a response size cap and abort support. Failures become {@link KmsError}s (`Kms.NetworkError`,
 * `Kms.ConnectTimeout`, `Kms.ReadTimeout`, `Kms.TlsVerificationFailed`, `Kms.ResponseTooLarge`); an abort rejects with `signal.reason`.
 */
export class DkmsHttpsTransport {
  private readonly agent: https.Agent;
  /** Sockets whose TLS handshake finished (a reused keep-alive socket needs no connect budget). */
  private readonly handshakeDone = new WeakSet<Socket>();

  /** @param options - where to connect and the limits */
  constructor(private readonly options: DkmsHttpsTransportOptions) {
    this.agent = new https.Agent({
      keepAlive: true,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      rejectUnauthorized: !options.ignoreSslCerts,
    });
  }

  /** Sends one request and reads the whole answer. */
  send(headers: Record<string, string>, body: Buffer, options: DkmsSendOptions = {}): Promise<DkmsHttpResponse> {
    const { clock, description } = this.options;
    const { signal } = options;
    const budgetMs = Math.max(0, options.budgetMs ?? Infinity);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<DkmsHttpResponse>((resolve, reject) => {
      let settled = false;
      let timedOut: Timeout | undefined;
      const handles = new Map<Timeout['kind'], TimerHandle>();
      const finish = (error: unknown, response?: DkmsHttpResponse) => {
        if (settled) return;
        settled = true;
        for (const handle of handles.values()) clock.clearTimeout(handle);
        signal?.removeEventListener('abort', onAbort);
        if (response) resolve(response);
        else reject(error);
      };
      const request = https.request({
        host: this.options.hostname,
        port: this.options.port,
        method: 'POST',
        path: '/',
        headers,
        agent: this.agent,
      });
      const onAbort = () => {
        finish(signal?.reason);
        request.destroy();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const startTimer = (timeout: Timeout) => {
        const dueAtMs = clock.monotonicNow() + timeout.ms;
        // Never fires before its time on the monotonic clock (Node timers may, by up to a loop turn), so a
        // timeout clipped to the caller's budget does not end a request before the budget's deadline.
        const fire = () => {
          const leftMs = dueAtMs - clock.monotonicNow();
          if (leftMs > 0) {
            handles.set(timeout.kind, clock.setTimeout(fire, Math.ceil(leftMs)));
            return;
          }
          timedOut = timeout;
          request.destroy();
        };
        handles.set(timeout.kind, clock.setTimeout(fire, timeout.ms));
      };
      startTimer({ kind: 'ReadTimeout', ms: Math.min(this.options.readTimeoutMs, budgetMs) });
      startTimer({ kind: 'ConnectTimeout', ms: Math.min(this.options.connectTimeoutMs, budgetMs) });
      const connected = () => {
        clock.clearTimeout(handles.get('ConnectTimeout'));
        handles.delete('ConnectTimeout');
      };
      request.on('socket', (socket: Socket) => {
        // A reused keep-alive socket is already connected; a new one must finish TCP and TLS in time.
        if (this.handshakeDone.has(socket)) {
          connected();
        } else {
          socket.once('secureConnect', () => {
            this.handshakeDone.add(socket);
            connected();
          });
        }
      });
      request.on('error', (error: NodeJS.ErrnoException) => finish(this.toKmsError(error, timedOut)));
      request.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const limit = this.options.maxResponseBytes;
        readCappedAnswer(response, limit, {
          tooLarge: () => {
            finish(
              new KmsError(`DKMS ${description} sent a response larger than maxResponseBytes (${limit} bytes)`, {
                code: KmsErrorCode.ResponseTooLarge,
                httpStatus: status,
                retryable: false,
                source: description,
              }),
            );
            request.destroy();
          },
          failed: (error) => finish(this.toKmsError(error, timedOut)),
          done: (body) => {
            const contentType = response.headers['content-type'];
            finish(undefined, { status, body, headers: response.headers, ...(contentType ? { contentType } : {}) });
          },
        });
      });
      request.end(body);
    });
  }

  /** Destroys the agent and its sockets. */
  close(): void {
    this.agent.destroy();
  }

  private toKmsError(error: NodeJS.ErrnoException, timedOut: Timeout | undefined): KmsError {
    const { description } = this.options;
    if (timedOut) {
      const what = timedOut.kind === 'ConnectTimeout' ? 'connecting to' : 'waiting for';
      return new KmsError(`timed out after ${Math.round(timedOut.ms)} ms ${what} DKMS ${description}`, {
        code: KmsErrorCode[timedOut.kind],
        retryable: true,
        source: description,
      });
    }
    const code = error.code;
    if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
      return new KmsError(
        `TLS verification of DKMS ${description} failed (${code}: ${error.message}).` +
          tlsFailureHint(code, this.options.caInfo),
        { code: KmsErrorCode.TlsVerificationFailed, retryable: false, source: description, cause: error },
      );
    }
    return new KmsError(`network error calling DKMS ${description} (${code ?? 'error'}: ${error.message})`, {
      code: KmsErrorCode.NetworkError,
      retryable: true,
      source: description,
      cause: error,
    });
  }
}
