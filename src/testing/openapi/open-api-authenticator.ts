import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';
import type { AccessKeyRecord, AccessKeyRegistry } from '../access-key-registry.js';
import { RequestAuthenticator, type AuthAttempt } from '../oss/request-authenticator.js';
import { parseRequestTarget } from '../oss/request-target.js';
import { ACS3_ALGORITHM, acs3Signature, parseAcs3Authorization } from './acs3-signature.js';
import type { GatewayRequest } from './gateway-request.js';
import { NonceCache } from './nonce-cache.js';
import type { OpenApiSignatureKind } from './open-api-call.js';
import { OpenApiServiceError } from './open-api-service-error.js';
import { roaSignature, roaStringToSign } from './roa-signature.js';
import { rpcSignature } from './rpc-signature.js';

/** What the authenticator learnt about a request; filled in as far as it got, also when it failed. */
export interface OpenApiAuthAttempt {
  kind: OpenApiSignatureKind;
  accessKeyId?: string;
  hasSecurityToken: boolean;
}

/** Settings of the {@link OpenApiAuthenticator}. */
export interface OpenApiAuthenticatorOptions {
  readonly keys: AccessKeyRegistry;
  readonly clock: Clock;
  /** Largest accepted difference between the request's date and the server clock. */
  readonly maxClockSkewMs: number;
}

/** Headers every ACS3 request must sign. */
const ACS3_REQUIRED_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];
/** Parameters of an RPC V1 signature. */
const RPC_V1_REQUIRED = ['AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'];
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function fail(status: number, code: string, message: string): OpenApiServiceError {
  return new OpenApiServiceError({ status, code, message });
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Which signature a request carries (see {@link OpenApiSignatureKind}). */
export function detectSignatureKind(request: GatewayRequest): OpenApiSignatureKind {
  const authorization = request.headers['authorization'];
  if (authorization !== undefined) {
    if (authorization.startsWith('acs ')) return 'roa-v1';
    if (authorization.startsWith('OSS ') || authorization.startsWith('OSS4-HMAC-SHA256 ')) return 'oss-v1';
    // Anything else in Authorization is judged (and rejected) as ACS3, as the gateway does.
    return 'acs3';
  }
  if (request.query['Signature'] !== undefined || request.form['Signature'] !== undefined) return 'rpc-v1';
  if (request.query['OSSAccessKeyId'] !== undefined || request.query['x-oss-signature'] !== undefined) return 'oss-v1';
  return 'none';
}

/**
 * Verifies the signatures of the Alibaba Cloud OpenAPI gateway (ACS3-HMAC-SHA256, RPC V1 HMAC-SHA1, ROA V1)
 * with their date-skew, nonce and content-hash checks and the key's state, throwing the gateway's errors as
 * {@link OpenApiServiceError}; OSS signatures go to LocalOss' authenticator, which throws `OssServiceError`.
 */
export class OpenApiAuthenticator {
  readonly #options: OpenApiAuthenticatorOptions;
  readonly #nonces: NonceCache;
  readonly #oss: RequestAuthenticator;

  /** @param options - key registry, clock and allowed skew */
  constructor(options: OpenApiAuthenticatorOptions) {
    this.#options = options;
    this.#nonces = new NonceCache(2 * options.maxClockSkewMs);
    this.#oss = new RequestAuthenticator({ ...options, signingRegion: 'cn-hangzhou' });
  }

  /** Authenticates `request` (whose kind is `attempt.kind`), recording progress in `attempt`. */
  authenticate(request: GatewayRequest, attempt: OpenApiAuthAttempt): AccessKeyRecord {
    switch (attempt.kind) {
      case 'acs3':
        return this.#acs3(request, attempt);
      case 'rpc-v1':
        return this.#rpcV1(request, attempt);
      case 'roa-v1':
        return this.#roaV1(request, attempt);
      case 'oss-v1':
        return this.#ossV1(request, attempt);
      case 'none':
        throw fail(400, 'MissingSignature', 'The request is not signed: no Authorization header and no Signature parameter.');
    }
  }

  #acs3(request: GatewayRequest, attempt: OpenApiAuthAttempt): AccessKeyRecord {
    const headers = request.headers;
    const parsed = parseAcs3Authorization(headers['authorization']);
    if (!parsed) throw fail(400, 'IncompleteSignature', `The request signature does not conform to ${ACS3_ALGORITHM} standards.`);
    attempt.accessKeyId = parsed.accessKeyId;
    const signed = new Set(parsed.signedHeaders);
    const unsigned = [...ACS3_REQUIRED_SIGNED_HEADERS, ...Object.keys(headers).filter((h) => h.startsWith('x-acs-'))].filter(
      (h) => !signed.has(h) || headers[h] === undefined,
    );
    if (unsigned.length > 0) throw fail(400, 'IncompleteSignature', `Header ${unsigned[0]} must be present and signed.`);
    const hashedPayload = createHash('sha256').update(request.body).digest('hex');
    if (headers['x-acs-content-sha256'] !== hashedPayload) {
      throw fail(400, 'IncompleteSignature', 'The x-acs-content-sha256 header does not match the request body.');
    }
    this.#checkIsoDate(headers['x-acs-date']);
    const token = headers['x-acs-security-token'];
    const record = this.#lookup(parsed.accessKeyId);
    const expected = acs3Signature(
      {
        method: request.method,
        pathname: new URL(request.rawUrl, 'http://localhost').pathname,
        query: request.query,
        headers: Object.fromEntries(parsed.signedHeaders.map((h) => [h, headers[h]])),
        signedHeaders: parsed.signedHeaders,
        hashedPayload,
      },
      record.accessKeySecret,
    );
    if (!sameText(expected, parsed.signature)) throw fail(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
    this.#checkToken(record, token);
    this.#claimNonce(headers['x-acs-signature-nonce'] ?? '');
    return record;
  }

  #rpcV1(request: GatewayRequest, attempt: OpenApiAuthAttempt): AccessKeyRecord {
    const params = { ...request.query, ...request.form };
    if (params['AccessKeyId'] !== undefined) attempt.accessKeyId = params['AccessKeyId'];
    const missing = RPC_V1_REQUIRED.find((name) => !params[name]);
    if (missing !== undefined) throw fail(400, 'IncompleteSignature', `The signature parameter ${missing} is missing.`);
    if (params['SignatureMethod'] !== 'HMAC-SHA1' || params['SignatureVersion'] !== '1.0') {
      throw fail(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards (HMAC-SHA1, 1.0).');
    }
    this.#checkIsoDate(params['Timestamp']);
    const record = this.#lookup(params['AccessKeyId'] ?? '');
    if (!sameText(rpcSignature(request.method, params, record.accessKeySecret), params['Signature'] ?? '')) {
      throw fail(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
    }
    this.#checkToken(record, params['SecurityToken']);
    this.#claimNonce(params['SignatureNonce'] ?? '');
    return record;
  }

  #roaV1(request: GatewayRequest, attempt: OpenApiAuthAttempt): AccessKeyRecord {
    const headers = request.headers;
    const match = /^acs ([^:\s]+):(\S+)$/.exec(headers['authorization']?.trim() ?? '');
    if (!match) throw fail(400, 'IncompleteSignature', 'The Authorization header does not conform to "acs <AccessKeyId>:<Signature>".');
    const [, accessKeyId = '', provided = ''] = match;
    attempt.accessKeyId = accessKeyId;
    if (headers['x-acs-signature-method'] !== 'HMAC-SHA1' || !headers['x-acs-signature-nonce']) {
      throw fail(400, 'IncompleteSignature', 'Headers x-acs-signature-method (HMAC-SHA1) and x-acs-signature-nonce are required.');
    }
    const dateMs = Date.parse(headers['date'] ?? '');
    if (Number.isNaN(dateMs)) throw fail(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    this.#checkSkew(dateMs);
    const record = this.#lookup(accessKeyId);
    const stringToSign = roaStringToSign({ method: request.method, pathname: request.pathname, query: request.query, headers });
    if (!sameText(roaSignature(stringToSign, record.accessKeySecret), provided)) {
      throw fail(400, 'SignatureDoesNotMatch', 'Specified signature does not match our calculation.');
    }
    this.#checkToken(record, headers['x-acs-security-token']);
    this.#claimNonce(headers['x-acs-signature-nonce']);
    return record;
  }

  #ossV1(request: GatewayRequest, attempt: OpenApiAuthAttempt): AccessKeyRecord {
    const target = parseRequestTarget(request.headers['host'], request.rawUrl);
    const ossAttempt: AuthAttempt = { kind: 'anonymous' };
    try {
      this.#oss.authenticate({ method: request.method, headers: request.headers, target }, ossAttempt);
    } finally {
      if (ossAttempt.accessKeyId !== undefined) attempt.accessKeyId = ossAttempt.accessKeyId;
    }
    // The OSS authenticator has checked the key exists and is usable.
    return this.#options.keys.lookup(attempt.accessKeyId ?? '') as AccessKeyRecord;
  }

  /** The key's record, or the gateway's error for an unknown, revoked, propagating, expired or disabled key. */
  #lookup(accessKeyId: string): AccessKeyRecord {
    const keys = this.#options.keys;
    const record = keys.lookup(accessKeyId);
    // A key still propagating after its creation, or a long-term key past its end, is not known yet / any more.
    if (!record || keys.isPropagating(record) || (!record.sts && keys.isExpired(record))) {
      throw fail(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    }
    if (!record.enabled) throw fail(400, 'InvalidAccessKeyId.Inactive', 'Specified access key is disabled.');
    return record;
  }

  #checkToken(record: AccessKeyRecord, token: string | undefined): void {
    if (record.sts) {
      if (token === undefined || token === '') throw fail(400, 'InvalidSecurityToken.Missing', 'The security token is missing.');
      if (record.securityToken === undefined || !sameText(token, record.securityToken)) {
        throw fail(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'The security token does not match the access key.');
      }
      if (this.#options.keys.isExpired(record)) throw fail(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    } else if (token !== undefined && token !== '') {
      throw fail(400, 'InvalidSecurityToken.Malformed', 'A security token was sent with a long-term access key.');
    }
  }

  #checkIsoDate(value: string | undefined): void {
    const dateMs = Date.parse(value ?? '');
    if (!ISO_SECONDS.test(value ?? '') || Number.isNaN(dateMs)) {
      throw fail(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    this.#checkSkew(dateMs);
  }

  #checkSkew(dateMs: number): void {
    if (Math.abs(dateMs - this.#options.clock.now()) > this.#options.maxClockSkewMs) {
      throw fail(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    }
  }

  /** Checked last, so a request with a bad signature cannot burn a nonce. */
  #claimNonce(nonce: string): void {
    if (!this.#nonces.claim(nonce, this.#options.clock.now())) {
      throw fail(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }
  }
}
