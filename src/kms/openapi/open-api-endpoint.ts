import { ConfigError, ConfigErrorCode } from '../../config/config-error.js';

/** Where the KMS OpenAPI is reached: host (with `:port` if any) and protocol. */
export interface OpenApiEndpoint {
  /** `kms.cn-hangzhou.aliyuncs.com`, `kst-xxx.cryptoservice.kms.aliyuncs.com`, `127.0.0.1:8443`, ... */
  host: string;
  protocol: 'https' | 'http';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The endpoint of a region entry: the custom `endpoint` if given (a host, `host:port`, or an `https://`
 * URL without path; plain `http://` only for loopback test servers, since the secret would travel in
 * clear text), else `kms-vpc.<regionId>.aliyuncs.com` when `vpc`, else `kms.<regionId>.aliyuncs.com`.
 */
export function resolveOpenApiEndpoint(entry: { regionId: string; endpoint?: string; vpc?: boolean }): OpenApiEndpoint {
  const { regionId, endpoint, vpc } = entry;
  if (endpoint === undefined || endpoint.trim() === '') {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(regionId)) {
      throw new ConfigError(ConfigErrorCode.InvalidValue, `regionId "${regionId}" is not a region id like cn-hangzhou`, { field: 'regionId' });
    }
    return { host: `${vpc ? 'kms-vpc' : 'kms'}.${regionId}.aliyuncs.com`, protocol: 'https' };
  }
  const text = endpoint.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch (cause) {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `endpoint "${text}" of region ${regionId} is not a host name`, { field: 'endpoint' }, {
      cause,
    });
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'https' && protocol !== 'http') {
    throw new ConfigError(ConfigErrorCode.InvalidValue, `endpoint "${text}" of region ${regionId} must use https`, { field: 'endpoint' });
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(
      ConfigErrorCode.InvalidValue,
      `endpoint "${url.host}" of region ${regionId} must be a host (optionally with a port), without path, query or credentials`,
      { field: 'endpoint' },
    );
  }
  if (protocol === 'http' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ConfigError(
      ConfigErrorCode.InsecureEndpoint,
      `endpoint "${text}" of region ${regionId} uses plain http; only https is allowed (http only for loopback test servers)`,
      { field: 'endpoint' },
    );
  }
  return { host: url.host, protocol };
}
