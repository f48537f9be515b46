import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../runtime/clock.js';
import type { AccessKeyRecord, AccessKeyRegistry } from '../access-key-registry.js';
import { OssServiceError } from './oss-service-error.js';
import type { RequestTarget } from './request-target.js';
import { v1Signature, v1StringToSign } from './signature-v1.js';
import { V4_ALGORITHM, v4CanonicalRequest, v4Signature, v4StringToSign } from './signature-v4.js';

/** How a request was authenticated. */
export type OssAuthKind = 'v1-header' | 'v4-header' | 'v1-url' | 'v4-url' | 'anonymous';

/** What the authenticator learnt about a request; filled in as far as it got, also when it failed. */
export interface AuthAttempt {
  kind: OssAuthKind;
  accessKeyId?: string;
  /** The StringToSign the server computed (V4: also the canonical request); for diagnosing mismatches. */
  stringToSign?: string;
}

/** Settings of the {@link RequestAuthenticator}. */
export interface RequestAuthenticatorOptions {
  readonly keys: AccessKeyRegistry;
  readonly clock: Clock;
  /** V4 signing region without the `oss-` prefix, e.g. `cn-hangzhou`. */
  readonly signingRegion: string;
  /** Largest accepted difference between the request time and the server clock. */
  readonly maxClockSkewMs: number;
}

/** The request as the authenticator needs it; header names lower case. */
export interface AuthRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly target: RequestTarget;
}

const STS_TOKEN_MISSING =
  'The OSS Access Key Id you provided does not exist in our records. The Security Token may be lost to specify that it is a STS Access Id.';

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Hides an STS token in diagnostic text (string to sign, canonical request); tokens are credentials. */
function redactToken(text: string, token: string | undefined): string {
  return token ? text.split(token).join('<security-token>') : text;
}

function stringToSignBytes(stringToSign: string): string {
  return [...Buffer.from(stringToSign, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

/** Parses a V4 timestamp `yyyymmddTHHMMSSZ` into epoch ms, or NaN. */
function parseV4Timestamp(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * Checks a request's credentials the way OSS does: V1 and V4 header signatures, V1 and V4 signed URLs,
 * STS tokens and their expiry, key state, clock skew and URL expiry. Throws {@link OssServiceError}.
 */
export class RequestAuthenticator {
  readonly #options: RequestAuthenticatorOptions;

  /** @param options - key registry, clock, signing region and allowed skew */
  constructor(options: RequestAuthenticatorOptions) {
    this.#options = options;
  }

  /**
   * Authenticates `request`, recording progress in `attempt` (so the request log knows which key was used
   * even when the request is rejected).
   */
  authenticate(request: AuthRequest, attempt: AuthAttempt): void {
    const authorization = request.headers['authorization'];
    const query = request.target.query;
    if (authorization?.startsWith('OSS ')) this.#v1Header(request, authorization, attempt);
    else if (authorization?.startsWith(`${V4_ALGORITHM} `)) this.#v4Header(request, authorization, attempt);
    else if (authorization !== undefined) {
      throw new OssServiceError('InvalidArgument', { message: 'Authorization header is invalid.' });
    } else if (query.has('OSSAccessKeyId') || query.has('Signature')) this.#v1Url(request, attempt);
    else if (query.has('x-oss-signature-version') || query.has('x-oss-signature')) this.#v4Url(request, attempt);
    else {
      attempt.kind = 'anonymous';
      throw new OssServiceError('AccessDenied', { message: 'Anonymous access is forbidden for this operation.' });
    }
  }

  #v1Header(request: AuthRequest, authorization: string, attempt: AuthAttempt): void {
    attempt.kind = 'v1-header';
    const credential = authorization.slice('OSS '.length).trim();
    const colon = credential.lastIndexOf(':');
    if (colon <= 0) throw new OssServiceError('InvalidArgument', { message: 'Authorization header is invalid.' });
    const accessKeyId = credential.slice(0, colon);
    const provided = credential.slice(colon + 1);
    attempt.accessKeyId = accessKeyId;
    const record = this.#checkKey(accessKeyId, request.headers['x-oss-security-token']);
    const date = request.headers['x-oss-date'] ?? request.headers['date'];
    this.#checkSkew(date === undefined ? Number.NaN : Date.parse(date), date);
    const stringToSign = v1StringToSign({
      method: request.method,
      headers: request.headers,
      dateOrExpires: date ?? '',
      bucket: request.target.bucket,
      key: request.target.key,
      query: request.target.query,
    });
    const token = request.headers['x-oss-security-token'];
    attempt.stringToSign = redactToken(stringToSign, token);
    this.#compare(accessKeyId, provided, v1Signature(record.accessKeySecret, stringToSign), stringToSign, token);
  }

  #v1Url(request: AuthRequest, attempt: AuthAttempt): void {
    attempt.kind = 'v1-url';
    const query = request.target.query;
    const accessKeyId = query.get('OSSAccessKeyId') ?? '';
    const provided = query.get('Signature') ?? '';
    const expires = query.get('Expires') ?? '';
    attempt.accessKeyId = accessKeyId;
    if (!accessKeyId || !provided || !/^\d+$/.test(expires)) {
      throw new OssServiceError('AccessDenied', {
        message: 'Query-string authentication requires the Signature, Expires and OSSAccessKeyId parameters',
      });
    }
    const record = this.#checkKey(accessKeyId, query.get('security-token'));
    this.#checkUrlExpiry(Number(expires) * 1000, expires);
    const stringToSign = v1StringToSign({
      method: request.method,
      headers: request.headers,
      dateOrExpires: expires,
      bucket: request.target.bucket,
      key: request.target.key,
      query,
    });
    const token = query.get('security-token');
    attempt.stringToSign = redactToken(stringToSign, token);
    this.#compare(accessKeyId, provided, v1Signature(record.accessKeySecret, stringToSign), stringToSign, token);
  }

  #v4Header(request: AuthRequest, authorization: string, attempt: AuthAttempt): void {
    attempt.kind = 'v4-header';
    const fields = new Map<string, string>();
    for (const part of authorization.slice(V4_ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const credential = fields.get('Credential') ?? '';
    const provided = fields.get('Signature') ?? '';
    const timestamp = request.headers['x-oss-date'] ?? '';
    const payloadHash = request.headers['x-oss-content-sha256'];
    const scope = this.#parseScope(credential, attempt);
    const record = this.#checkKey(scope.accessKeyId, request.headers['x-oss-security-token']);
    if (!provided) throw new OssServiceError('InvalidArgument', { message: 'Authorization header is invalid.' });
    if (payloadHash === undefined) {
      throw new OssServiceError('InvalidArgument', { message: 'Missing required header x-oss-content-sha256.' });
    }
    this.#checkSkew(parseV4Timestamp(timestamp), timestamp);
    this.#checkScopeDate(scope.date, timestamp);
    const additional = (fields.get('AdditionalHeaders') ?? '').split(';').filter(Boolean).sort();
    const token = request.headers['x-oss-security-token'];
    this.#verifyV4(request, request.target.query, additional, payloadHash, timestamp, scope, record, provided, attempt, token);
  }

  #v4Url(request: AuthRequest, attempt: AuthAttempt): void {
    attempt.kind = 'v4-url';
    const query = request.target.query;
    const scope = this.#parseScope(query.get('x-oss-credential') ?? '', attempt);
    const record = this.#checkKey(scope.accessKeyId, query.get('x-oss-security-token'));
    const provided = query.get('x-oss-signature') ?? '';
    const timestamp = query.get('x-oss-date') ?? '';
    const expires = query.get('x-oss-expires') ?? '';
    const dateMs = parseV4Timestamp(timestamp);
    if (query.get('x-oss-signature-version') !== V4_ALGORITHM || !provided || Number.isNaN(dateMs) || !/^\d+$/.test(expires)) {
      throw new OssServiceError('AccessDenied', { message: 'Query-string authentication (V4) parameters are invalid.' });
    }
    this.#checkScopeDate(scope.date, timestamp);
    this.#checkUrlExpiry(dateMs + Number(expires) * 1000, expires);
    const signed = new Map(query);
    signed.delete('x-oss-signature');
    const additional = (query.get('x-oss-additional-headers') ?? '').split(';').filter(Boolean).sort();
    const token = query.get('x-oss-security-token');
    this.#verifyV4(request, signed, additional, 'UNSIGNED-PAYLOAD', timestamp, scope, record, provided, attempt, token);
  }

  #verifyV4(
    request: AuthRequest,
    query: ReadonlyMap<string, string>,
    additionalHeaders: string[],
    payloadHash: string,
    timestamp: string,
    scope: { date: string; region: string; product: string; text: string; accessKeyId: string },
    record: AccessKeyRecord,
    provided: string,
    attempt: AuthAttempt,
    token: string | undefined,
  ): void {
    const canonicalRequest = v4CanonicalRequest({
      method: request.method,
      bucket: request.target.bucket,
      key: request.target.key,
      query,
      headers: request.headers,
      additionalHeaders,
      payloadHash,
    });
    const stringToSign = v4StringToSign(timestamp, scope.text, canonicalRequest);
    attempt.stringToSign = redactToken(`${stringToSign}\n\n${canonicalRequest}`, token);
    const expected = v4Signature(record.accessKeySecret, scope, stringToSign);
    this.#compare(scope.accessKeyId, provided, expected, stringToSign, token, canonicalRequest);
  }

  #parseScope(credential: string, attempt: AuthAttempt) {
    const parts = credential.split('/');
    const [accessKeyId, date, region, product, terminator] = parts;
    if (parts.length !== 5 || !accessKeyId || !date || terminator !== 'aliyun_v4_request') {
      throw new OssServiceError('InvalidArgument', { message: 'The V4 credential is malformed.' });
    }
    attempt.accessKeyId = accessKeyId;
    if (region !== this.#options.signingRegion || product !== 'oss') {
      throw new OssServiceError('InvalidArgument', {
        message: `Invalid signing region or product in the credential scope; expected region ${this.#options.signingRegion} and product oss.`,
      });
    }
    return { accessKeyId, date, region, product, text: `${date}/${region}/${product}/aliyun_v4_request` };
  }

  #checkKey(accessKeyId: string, token: string | undefined): AccessKeyRecord {
    const keys = this.#options.keys;
    const record = keys.lookup(accessKeyId);
    const extra = { OSSAccessKeyId: accessKeyId };
    // A key still propagating after its creation is not known to OSS yet: the same answer as an unknown id.
    if (!record || keys.isPropagating(record)) throw new OssServiceError('InvalidAccessKeyId', { extra });
    if (!record.enabled) {
      throw new OssServiceError('InvalidAccessKeyId', {
        message: 'The OSS Access Key Id you provided is disabled.',
        ec: null,
        extra,
      });
    }
    if (record.sts) {
      if (token === undefined || token === '') {
        throw new OssServiceError('InvalidAccessKeyId', { message: STS_TOKEN_MISSING, ec: '0002-00000003', extra });
      }
      if (record.securityToken === undefined || !safeEqual(token, record.securityToken)) {
        throw new OssServiceError('InvalidSecurityToken');
      }
      if (keys.isExpired(record)) throw new OssServiceError('SecurityTokenExpired');
    } else {
      if (token !== undefined && token !== '') throw new OssServiceError('InvalidSecurityToken');
      if (keys.isExpired(record)) throw new OssServiceError('InvalidAccessKeyId', { extra });
    }
    return record;
  }

  #checkSkew(requestMs: number, raw: string | undefined): void {
    if (Number.isNaN(requestMs)) {
      throw new OssServiceError('AccessDenied', { message: 'Missing or invalid date header (x-oss-date or Date).' });
    }
    const nowMs = this.#options.clock.now();
    if (Math.abs(nowMs - requestMs) > this.#options.maxClockSkewMs) {
      throw new OssServiceError('RequestTimeTooSkewed', {
        extra: {
          RequestTime: raw ?? '',
          ServerTime: new Date(nowMs).toISOString(),
          MaxAllowedSkewMilliseconds: String(this.#options.maxClockSkewMs),
        },
      });
    }
  }

  #checkScopeDate(scopeDate: string, timestamp: string): void {
    if (timestamp.slice(0, 8) !== scopeDate) {
      throw new OssServiceError('InvalidArgument', { message: 'The date in the credential scope does not match x-oss-date.' });
    }
  }

  #checkUrlExpiry(expiresAtMs: number, raw: string): void {
    const nowMs = this.#options.clock.now();
    if (nowMs > expiresAtMs) {
      throw new OssServiceError('AccessDenied', {
        message: 'Request has expired.',
        extra: { Expires: raw, ServerTime: new Date(nowMs).toISOString() },
      });
    }
  }

  #compare(
    accessKeyId: string,
    provided: string,
    expected: string,
    stringToSign: string,
    token: string | undefined,
    canonicalRequest?: string,
  ) {
    if (safeEqual(provided, expected)) return;
    const shown = redactToken(stringToSign, token);
    throw new OssServiceError('SignatureDoesNotMatch', {
      extra: {
        OSSAccessKeyId: accessKeyId,
        SignatureProvided: provided,
        StringToSign: shown,
        StringToSignBytes: stringToSignBytes(shown),
        ...(canonicalRequest === undefined ? {} : { CanonicalRequest: redactToken(canonicalRequest, token) }),
      },
    });
  }
}
