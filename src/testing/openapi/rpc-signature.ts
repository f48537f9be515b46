import { createHmac } from 'node:crypto';
import { percentEncode } from './acs3-signature.js';

/**
 * The RPC signature V1 (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`) of a request: base64 HMAC-SHA1
 * with `AccessKeySecret&` over `METHOD&%2F&` + the percent-encoded, sorted, percent-encoded parameters (query
 * and form body together, without `Signature`).
 */
export function rpcSignature(method: string, params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  const canonical = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key] ?? '')}`)
    .join('&');
  const stringToSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}
