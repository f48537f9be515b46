import { isIP } from 'node:net';

/** Where the KMS Agent listens by default. */
export const DEFAULT_KMS_AGENT_ENDPOINT = '127.0.0.1:2025';
/** The KMS Agent's default port. */
export const DEFAULT_KMS_AGENT_PORT = 2025;

/** A parsed KMS Agent endpoint. */
export interface KmsAgentEndpoint {
  /** `host:port` as shown in messages (IPv6 in brackets). */
  readonly host: string;
  /** Host name or IP without brackets, to connect to. */
  readonly hostname: string;
  readonly port: number;
  /** Whether `hostname` is `localhost` or a loopback address (127.0.0.0/8, ::1). */
  readonly loopback: boolean;
}

/**
 * Parses `host[:port]` (optionally `http://host[:port]`, a trailing `/` dropped; port default 2025). Returns a
 * problem text instead of throwing, so the configuration and the source can each raise their own typed error.
 * Any other scheme (the agent speaks plain HTTP), a path, a query or user info is a problem.
 */
export function parseKmsAgentEndpoint(raw: string): KmsAgentEndpoint | { problem: string } {
  const text = raw.trim().replace(/^http:\/\//i, '').replace(/\/$/, '');
  if (text === '' || text.includes('://') || /[\s/?#@\\]/.test(text)) {
    return { problem: 'must be host:port or http://host:port (the KMS Agent speaks plain HTTP on the loopback interface)' };
  }
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    return { problem: 'is not a valid host:port' };
  }
  if (url.hostname === '' || url.pathname !== '/') return { problem: 'is not a valid host:port' };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port === '' ? DEFAULT_KMS_AGENT_PORT : Number(url.port);
  const shownHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  return { host: `${shownHost}:${port}`, hostname, port, loopback: isLoopback(hostname) };
}

/** `localhost`, 127.0.0.0/8 or ::1 (also as an IPv4-mapped address). */
function isLoopback(hostname: string): boolean {
  const lower = hostname.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIP(lower) === 4) return lower.startsWith('127.');
  // URL has already normalised IPv6: `::1`, and an IPv4-mapped 127.x.y.z as `::ffff:7fxx:yyzz`.
  if (isIP(lower) === 6) return lower === '::1' || /^::ffff:7f[0-9a-f]{2}:/.test(lower);
  return false;
}
