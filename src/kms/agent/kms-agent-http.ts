import http from 'node:http';
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { readCappedAnswer } from '../read-capped-answer.js';

/** One answer of the KMS Agent, body fully read. */
export interface KmsAgentHttpResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/** Options of {@link KmsAgentHttp}. */
export interface KmsAgentHttpOptions {
  readonly hostname: string;
  readonly port: number;
  /** Budget of one whole request (connect to last byte), ms; clipped to the caller's budget. */
  readonly timeoutMs: number;
  /** Larger bodies are refused (`Kms.ResponseTooLarge`). */
  readonly maxResponseBytes: number;
  readonly clock: Clock;
  /** For messages and `KmsError.source`. */
  readonly description: string;
}

/**
 * Plain-HTTP GETs to one KMS Agent over a keep-alive agent: a whole-request timeout, a size cap, abort
 * support. Failures become {@link KmsError}s (`Kms.NetworkError` with the socket error as `cause`,
 * `Kms.ReadTimeout`, `Kms.ResponseTooLarge`); an abort rejects with the signal's reason. Redirects are not
 * followed (a 3xx is an answer like any other).
 */
export class KmsAgentHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  /** @param options - where to connect and the limits */
  constructor(private readonly options: KmsAgentHttpOptions) {}

  /** Sends one GET of `path` with `headers` and reads the whole answer, within `budgetMs`. */
  get(path: string, headers: Record<string, string>, signal: AbortSignal, budgetMs: number): Promise<KmsAgentHttpResponse> {
    const { clock, description, maxResponseBytes } = this.options;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<KmsAgentHttpResponse>((resolve, reject) => {
      let settled = false;
      let timedOut = false;
      const request = http.request({ host: this.options.hostname, port: this.options.port, method: 'GET', path, headers, agent: this.agent });
      const finish = (error: unknown, response?: KmsAgentHttpResponse) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (response !== undefined) resolve(response);
        else reject(error);
      };
      const onAbort = () => {
        finish(signal.reason);
        request.destroy();
      };
      const timeoutMs = Math.min(this.options.timeoutMs, Math.max(0, budgetMs));
      const timer: TimerHandle = clock.setTimeout(() => {
        timedOut = true;
        request.destroy();
      }, timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => finish(this.toKmsError(error, timedOut, timeoutMs)));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        readCappedAnswer(response, maxResponseBytes, {
          tooLarge: () => {
            finish(
              new KmsError(`${description} sent an answer larger than ${maxResponseBytes} bytes`, {
                code: KmsErrorCode.ResponseTooLarge,
                httpStatus: status,
                retryable: false,
                source: description,
              }),
            );
            request.destroy();
          },
          failed: (error) => finish(this.toKmsError(error, timedOut, timeoutMs)),
          done: (body) => finish(undefined, { status, contentType: response.headers['content-type'], body }),
        });
      });
      request.end();
    });
  }

  /** Destroys the keep-alive agent and its sockets. */
  close(): void {
    this.agent.destroy();
  }

  private toKmsError(error: NodeJS.ErrnoException, timedOut: boolean, timeoutMs: number): KmsError {
    const { description } = this.options;
    if (timedOut) {
      return new KmsError(`${description} did not answer within ${timeoutMs} ms`, {
        code: KmsErrorCode.ReadTimeout,
        retryable: true,
        source: description,
      });
    }
    const reason = error.code === 'ECONNREFUSED' ? 'refused the connection: is the KMS Agent running there?' : `failed: ${error.code ?? error.message}`;
    return new KmsError(`${description} ${reason}`, { code: KmsErrorCode.NetworkError, retryable: true, source: description, cause: error });
  }
}
