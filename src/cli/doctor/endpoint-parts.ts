/**
 * Host and port of an endpoint written as `host`, `host:port`, `[v6]:port` or a URL, for advice text;
 * the port defaults to the scheme's (443 for https or no scheme, 80 for http).
 */
export function endpointParts(endpoint: string): { host: string; port: number } {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  try {
    const url = new URL(withScheme);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return { host: endpoint, port: 443 };
  }
}
