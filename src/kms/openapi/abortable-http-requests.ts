import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** The HTTP client requests one call started, and the signal that ends them. */
interface CallScope {
  readonly signal: AbortSignal;
  readonly accepts: (request: ClientRequest) => boolean;
  readonly requests: Set<ClientRequest>;
  readonly onResponse: ((headers: IncomingHttpHeaders) => void) | undefined;
}

const CHANNEL = 'http.client.request.start';
const scopes = new AsyncLocalStorage<CallScope>();
let activeCalls = 0;

function onRequestStart(message: unknown): void {
  const scope = scopes.getStore();
  const request = (message as { request?: ClientRequest }).request;
  if (scope === undefined || request === undefined || !scope.accepts(request)) return;
  if (scope.signal.aborted) {
    request.destroy();
    return;
  }
  scope.requests.add(request);
  request.once('close', () => scope.requests.delete(request));
  const { onResponse } = scope;
  if (onResponse !== undefined) request.once('response', (response: IncomingMessage) => onResponse(response.headers));
}

/**
 * Runs `call` (which makes its HTTP requests through a library that takes no `AbortSignal`, such as the
 * Tea SDK under `@alicloud/openapi-client`) and destroys every request it started that `accepts` and that
 * is still open when `signal` aborts, so an abandoned call leaves no socket behind.
 *
 * Requests are attributed to the call through `AsyncLocalStorage` and Node's `http.client.request.start`
 * diagnostics channel, which is subscribed to only while such a call runs. The promise of `call` is
 * returned as is: racing it against the signal is the caller's business.
 *
 * @param call - starts the work; runs synchronously inside the call's scope
 * @param signal - when it aborts, the call's open requests are destroyed
 * @param accepts - which requests belong to the call (e.g. those to the KMS endpoint, not a shared STS refresh)
 * @param onResponse - told the headers of each accepted request's response as it arrives: the SDK drops
 *   them from the errors it throws, and a throttled answer's hints are in them
 */
export function withAbortableHttpRequests<T>(
  call: () => Promise<T>,
  signal: AbortSignal,
  accepts: (request: ClientRequest) => boolean,
  onResponse?: (headers: IncomingHttpHeaders) => void,
): Promise<T> {
  const scope: CallScope = { signal, accepts, requests: new Set(), onResponse };
  const destroyAll = () => {
    for (const request of scope.requests) request.destroy();
    scope.requests.clear();
  };
  signal.addEventListener('abort', destroyAll, { once: true });
  if (activeCalls++ === 0) diagnosticsChannel.subscribe(CHANNEL, onRequestStart);
  const done = () => {
    signal.removeEventListener('abort', destroyAll);
    if (--activeCalls === 0) diagnosticsChannel.unsubscribe(CHANNEL, onRequestStart);
  };
  let pending: Promise<T>;
  try {
    pending = scopes.run(scope, call);
  } catch (error) {
    done();
    return Promise.reject(error);
  }
  // The scope ends when the call's own promise settles (a request it started may still be closing).
  return pending.finally(done);
}
