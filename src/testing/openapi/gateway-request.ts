import type { IncomingMessage } from 'node:http';

/** An incoming request, read and decoded once for authentication, routing and the handler's view. */
export interface GatewayRequest {
  /** Upper case. */
  readonly method: string;
  /** The raw path, without the query. */
  readonly rawPath: string;
  /** The raw URL (path and query) as sent. */
  readonly rawUrl: string;
  /** Decoded path. */
  readonly pathname: string;
  /** Decoded query parameters (the first of repeated names). */
  readonly query: Readonly<Record<string, string>>;
  /** Parameters of a form body (`application/x-www-form-urlencoded`), else empty. */
  readonly form: Readonly<Record<string, string>>;
  /** Headers by lower-case name, repeated ones joined with `,`. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** Reads the body (at most `maxBytes`; undefined when larger or aborted) and decodes the request. */
export async function readGatewayRequest(req: IncomingMessage, maxBytes: number): Promise<GatewayRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return undefined;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  const body = Buffer.concat(chunks);
  const rawUrl = req.url ?? '/';
  const url = new URL(rawUrl, 'http://localhost');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) if (!(name in query)) query[name] = value;
  const form: Record<string, string> = {};
  if ((headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) if (!(name in form)) form[name] = value;
  }
  let pathname = url.pathname;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    // Keep the raw path: the route simply will not match.
  }
  const queryStart = rawUrl.indexOf('?');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart),
    rawUrl,
    pathname,
    query,
    form,
    headers,
    body,
  };
}
