import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDkmsStringToSign, dkmsContentSha256 } from '../../src/kms/dkms/dkms-signer.js';
import { systemClock, type Clock } from '../../src/runtime/clock.js';
import { AccessKeyRegistry } from '../../src/testing/access-key-registry.js';
import type { GatewayRequest } from '../../src/testing/openapi/gateway-request.js';
import { detectSignatureKind, OpenApiAuthenticator, type OpenApiAuthAttempt } from '../../src/testing/openapi/open-api-authenticator.js';
import { roaSignature } from '../../src/testing/openapi/roa-signature.js';
import { rpcSignature } from '../../src/testing/openapi/rpc-signature.js';
import { OssKeyRegistry } from '../../src/testing/oss/oss-key-registry.js';
import { RequestAuthenticator, type AuthAttempt, type AuthRequest } from '../../src/testing/oss/request-authenticator.js';
import { parseRequestTarget } from '../../src/testing/oss/request-target.js';

// The emulators' signature verifiers against vectors published by others (shared/reference/signature-vectors.md:
// Alibaba Cloud's documentation and the official SDKs' unit tests), not against our own signers. Each vector's
// request is fed to the verifier and accepted; the same request with one byte changed is rejected.

const SKEW_MS = 15 * 60_000;
const fixedClock = (ms: number): Clock => ({ ...systemClock, now: () => ms });
/** The same text with its last character replaced by another of its kind (digit, a-f, A-Z): one byte changed. */
const oneByteChanged = (text: string): string => {
  const last = text.at(-1) ?? '';
  const other = /\d/.test(last) ? (last === '0' ? '1' : '0') : /[a-f]/.test(last) ? (last === 'a' ? 'b' : 'a') : last === 'A' ? 'B' : 'A';
  return `${text.slice(0, -1)}${other}`;
};
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

describe('ACS3-HMAC-SHA256 (OpenAPI V3): the documentation example (RunInstances)', () => {
  const nowMs = Date.parse('2023-10-26T09:01:01Z');
  const signature = 'e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804';
  const request = (authorizationSignature: string, overrides: Record<string, string> = {}): GatewayRequest => {
    const query = { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' };
    const rawQuery = `ImageId=${query.ImageId}&RegionId=${query.RegionId}`;
    return {
      method: 'POST',
      rawPath: '/',
      rawUrl: `/?${rawQuery}`,
      pathname: '/',
      query,
      form: {},
      body: Buffer.alloc(0),
      headers: {
        host: 'ecs.cn-shanghai.aliyuncs.com',
        'x-acs-action': 'RunInstances',
        'x-acs-version': '2014-05-26',
        'x-acs-date': '2023-10-26T09:01:01Z',
        'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc0',
        'x-acs-content-sha256': EMPTY_SHA256,
        authorization:
          'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,' +
          'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
          `Signature=${authorizationSignature}`,
        ...overrides,
      },
    };
  };
  const authenticator = () => {
    const clock = fixedClock(nowMs);
    const keys = new AccessKeyRegistry(clock, (code, message) => new Error(`${code}: ${message}`));
    keys.add({ accessKeyId: 'YourAccessKeyId', accessKeySecret: 'YourAccessKeySecret' });
    return new OpenApiAuthenticator({ keys, clock, maxClockSkewMs: SKEW_MS });
  };
  const authenticate = (req: GatewayRequest) => {
    const attempt: OpenApiAuthAttempt = { kind: detectSignatureKind(req), hasSecurityToken: false };
    expect(attempt.kind).toBe('acs3');
    return authenticator().authenticate(req, attempt);
  };

  it('accepts the published signature', () => {
    expect(authenticate(request(signature)).accessKeyId).toBe('YourAccessKeyId');
  });

  it('rejects it with one byte changed in the signature, or in a signed header', () => {
    expect(() => authenticate(request(oneByteChanged(signature)))).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
    expect(() => authenticate(request(signature, { 'x-acs-signature-nonce': 'd410180a5abf7fe235dd9b74aca91fc1' }))).toThrow(
      expect.objectContaining({ code: 'SignatureDoesNotMatch' }),
    );
  });
});

describe('RPC V1 and ROA V1 (HMAC-SHA1): the vectors of the Tea OpenAPI runtime (darabonba-openapi util tests)', () => {
  it('RPC: getRPCSignature({ test: "ok" }, "", "accessKeySecret")', () => {
    expect(rpcSignature('', { test: 'ok' }, 'accessKeySecret')).toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
    expect(rpcSignature('', { test: 'ol' }, 'accessKeySecret')).not.toBe('jHx/oHoHNrbVfhncHEvPdHXZwHU=');
  });

  it('ROA: HMAC-SHA1 of "stringtosign" with "secret"', () => {
    expect(roaSignature('stringtosign', 'secret')).toBe('OmuTAr79tpI6CRoAdmzKRq5lHs0=');
    expect(roaSignature('stringtosigm', 'secret')).not.toBe('OmuTAr79tpI6CRoAdmzKRq5lHs0=');
  });
});

describe('OSS V1 and V4: the vectors of the OSS Go SDK v2 signer tests', () => {
  const ossAuthenticator = (nowMs: number, token?: string) => {
    const clock = fixedClock(nowMs);
    const keys = new OssKeyRegistry(clock);
    keys.add({ accessKeyId: 'ak', accessKeySecret: 'sk', ...(token !== undefined && { securityToken: token }) });
    return new RequestAuthenticator({ keys, clock, signingRegion: 'cn-hangzhou', maxClockSkewMs: SKEW_MS });
  };
  const ossRequest = (method: string, host: string, rawUrl: string, headers: Record<string, string>): AuthRequest => ({
    method,
    headers: Object.fromEntries(Object.entries({ host, ...headers }).map(([k, v]) => [k.toLowerCase(), v])),
    target: parseRequestTarget(host, rawUrl),
  });
  const accept = (authenticator: RequestAuthenticator, request: AuthRequest): AuthAttempt => {
    const attempt: AuthAttempt = { kind: 'anonymous' };
    authenticator.authenticate(request, attempt);
    return attempt;
  };
  const reject = (authenticator: RequestAuthenticator, request: AuthRequest): void => {
    expect(() => authenticator.authenticate(request, { kind: 'anonymous' })).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  };

  describe('V1 header (TestV1AuthHeader)', () => {
    const date = 'Wed, 28 Dec 2022 10:27:41 GMT';
    const nowMs = Date.parse(date);
    const headers = (authorization: string, magic = 'abracadabra') => ({
      'Content-MD5': 'eB5eJF1ptWaXm4bijSPyxw==',
      'Content-Type': 'text/html',
      'x-oss-meta-author': 'alice',
      'x-oss-meta-magic': magic,
      'x-oss-date': date,
      Date: date,
      Authorization: authorization,
    });
    const host = 'examplebucket.oss-cn-hangzhou.aliyuncs.com';

    it.each([
      ['/nelson', 'OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M='],
      ['/nelson?acl', 'OSS ak:/afkugFbmWDQ967j1vr6zygBLQk='],
    ])('PUT %s: accepts the published signature; one byte changed is rejected', (rawUrl, authorization) => {
      const authenticator = ossAuthenticator(nowMs);
      expect(accept(authenticator, ossRequest('PUT', host, rawUrl, headers(authorization))).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('PUT', host, rawUrl, headers(oneByteChanged(authorization.slice(0, -1)) + '=')));
      reject(authenticator, ossRequest('PUT', host, rawUrl, headers(authorization, 'abracadabrb')));
    });

    it.each([
      ['/?resourceGroup&non-resousce=null', 'OSS ak:vkQmfuUDyi1uDi3bKt67oemssIs='],
      ['/?resourceGroup&acl', 'OSS ak:x3E5TgOvl/i7PN618s5mEvpJDYk='],
    ])('GET %s (signed sub-resources, an unsigned parameter): accepts the published signature', (rawUrl, authorization) => {
      const authenticator = ossAuthenticator(nowMs);
      const only = { 'x-oss-date': date, Date: date, Authorization: authorization };
      expect(accept(authenticator, ossRequest('GET', host, rawUrl, only)).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('GET', host, rawUrl, { ...only, 'x-oss-date': 'Wed, 28 Dec 2022 10:27:42 GMT' }));
    });
  });

  describe('V1 presigned URL (TestV1AuthQuery)', () => {
    const host = 'bucket.oss-cn-hangzhou.aliyuncs.com';
    it('accepts the published URL before it expires; one byte changed is rejected', () => {
      const authenticator = ossAuthenticator(Date.parse('Sun, 12 Nov 2023 16:43:40 GMT'));
      const url = (signature: string) => `/key?Expires=1699807420&OSSAccessKeyId=ak&Signature=${signature}&versionId=versionId`;
      expect(accept(authenticator, ossRequest('GET', host, url('dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D'), {})).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('GET', host, url('dcLTea%2BYh9ApirQ8o8dOPqtvJXA%3D'), {}));
    });

    it('with an STS token (security-token is signed): accepts the published URL', () => {
      const authenticator = ossAuthenticator(Date.parse('Sun, 12 Nov 2023 16:56:44 GMT'), 'token');
      const url = (key: string) =>
        `/${key}?Expires=1699808204&OSSAccessKeyId=ak&Signature=jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D&security-token=token&versionId=versionId`;
      expect(accept(authenticator, ossRequest('GET', host, url('key%2B123'), {})).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('GET', host, url('key%2B124'), {}));
    });
  });

  describe('V4 header (TestV4AuthHeader, TestV4AuthHeaderToken)', () => {
    const host = 'bucket.oss-cn-hangzhou.aliyuncs.com';
    // Go's url.Values.Encode() of the test's parameters: sorted by name, query-escaped.
    const rawUrl = '/1234%2B-/123/1.txt?%2Bparam1=value3&%2Bparam2=&param1=value1&param2=&%7Cparam1=value4&%7Cparam2=';
    const headers = (timestamp: string, authorization: string, extra: Record<string, string> = {}) => ({
      'x-oss-head1': 'value',
      abc: 'value',
      ZAbc: 'value',
      XYZ: 'value',
      'content-type': 'text/plain',
      'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-oss-date': timestamp,
      Authorization: authorization,
      ...extra,
    });
    const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

    it('accepts the published signature; one byte changed is rejected', () => {
      const seconds = 1702743657;
      const authorization = (s: string) => `OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=${s}`;
      const signature = 'e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe';
      const authenticator = ossAuthenticator(seconds * 1000);
      expect(accept(authenticator, ossRequest('PUT', host, rawUrl, headers(iso(seconds), authorization(signature)))).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('PUT', host, rawUrl, headers(iso(seconds), authorization(oneByteChanged(signature)))));
      reject(authenticator, ossRequest('PUT', host, rawUrl, headers(iso(seconds), authorization(signature), { 'x-oss-head1': 'valuf' })));
    });

    it('with an STS token (x-oss-security-token is signed): accepts the published signature', () => {
      const seconds = 1702784856;
      const authorization = `OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea`;
      const authenticator = ossAuthenticator(seconds * 1000, 'token');
      const token = { 'x-oss-security-token': 'token' };
      expect(accept(authenticator, ossRequest('PUT', host, rawUrl, headers(iso(seconds), authorization, token))).accessKeyId).toBe('ak');
      reject(authenticator, ossRequest('PUT', host, rawUrl, headers(iso(seconds), authorization, { ...token, 'content-type': 'text/plaim' })));
    });
  });
});

describe('DKMS: the string to sign of the KMS instance SDK (dkms-gcs Java SDK, ClientTest.getStringToSign)', () => {
  // The request of the test: the x-kms-* headers are signed sorted by name; accept, host, user-agent and
  // content-length are not signed.
  const headers: Record<string, string> = {
    accept: 'application/x-protobuf',
    host: 'host',
    date: 'Tue, 06 Jul 2021 11:25:31 GMT',
    'user-agent': 'user-agent',
    'x-kms-apiversion': '0.1.0',
    'x-kms-apiname': 'Decrypt',
    'x-kms-signaturemethod': 'RSA_PKCS1_SHA_256',
    'x-kms-accesskeyid': 'access-key-id',
    'content-type': 'application/x-protobuf',
    'content-length': '4',
    'content-sha256': '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
  };
  const expected =
    'POST\n9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\napplication/x-protobuf\n' +
    'Tue, 06 Jul 2021 11:25:31 GMT\nx-kms-accesskeyid:access-key-id\nx-kms-apiname:Decrypt\n' +
    'x-kms-apiversion:0.1.0\nx-kms-signaturemethod:RSA_PKCS1_SHA_256\n/';

  it('content-sha256 of "test" is the published upper-case hex (getContentSHA256)', () => {
    expect(dkmsContentSha256(Buffer.from('test'))).toBe('9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08');
  });

  it('the verifier signs over the published string; one byte changed in a signed header changes it', () => {
    // buildDkmsStringToSign is what verifyDkmsRequest checks the RSA signature against.
    expect(buildDkmsStringToSign('POST', headers)).toBe(expected);
    expect(buildDkmsStringToSign('POST', { ...headers, 'x-kms-apiname': 'Decrypu' })).not.toBe(expected);
    // Headers outside the signed set do not change it.
    expect(buildDkmsStringToSign('POST', { ...headers, 'user-agent': 'other' })).toBe(expected);
  });
});
