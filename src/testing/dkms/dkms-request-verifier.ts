import { verify, type KeyObject } from 'node:crypto';
import {
  DKMS_API_VERSION,
  DKMS_CONTENT_TYPE,
  DKMS_SIGNATURE_METHOD,
  buildDkmsStringToSign,
  dkmsContentSha256,
} from '../../kms/dkms/dkms-signer.js';
import { dkmsMessages, type DkmsGetSecretValueRequest } from '../../kms/dkms/dkms-messages.js';

/** An error answer of the emulator: HTTP status plus the protobuf `Error` fields. */
export interface DkmsErrorAnswer {
  httpStatus: number;
  errorCode: string;
  errorMessage: string;
  /** Extra response headers (e.g. a throttled answer's rate-limit hints). */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Result of {@link verifyDkmsRequest}. */
export type DkmsVerification =
  | { ok: true; keyId: string; request: DkmsGetSecretValueRequest }
  | ({ ok: false; keyId?: string } & DkmsErrorAnswer);

/** Input of {@link verifyDkmsRequest}. */
export interface DkmsVerificationInput {
  method: string;
  /** Request headers as Node's server gives them (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** Server time, epoch ms. */
  nowMs: number;
  /** Allowed clock skew, ms (the real server: 15 minutes). */
  maxSkewMs: number;
  /** Public keys of the known ClientKeys by KeyId. */
  publicKeys: ReadonlyMap<string, KeyObject>;
}

const RFC1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

const fail = (httpStatus: number, errorCode: string, errorMessage: string, keyId?: string): DkmsVerification => ({
  ok: false,
  httpStatus,
  errorCode,
  errorMessage,
  ...(keyId === undefined ? {} : { keyId }),
});

/**
 * Checks a GetSecretValue request the way the KMS instance gateway does, in its order: content type,
 * API version and name, signature method, date format and skew, content-sha256, KeyId present and known,
 * authorization format, RSA signature, body decoding. Answers with the documented codes and statuses.
 */
export function verifyDkmsRequest(input: DkmsVerificationInput): DkmsVerification {
  const header = (name: string): string | undefined => {
    const value = input.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  const contentType = header('content-type') ?? '';
  if (contentType !== DKMS_CONTENT_TYPE) return fail(415, 'InvalidContentType', `Content-Type "${contentType}" is unsupported.`);
  const apiVersion = header('x-kms-apiversion') ?? '';
  if (apiVersion !== DKMS_API_VERSION) return fail(400, 'InvalidApiVersion', `The ApiVersion "${apiVersion}" is invalid.`);
  const apiName = header('x-kms-apiname') ?? '';
  if (apiName !== 'GetSecretValue') return fail(400, 'InvalidApiName', `The ApiName "${apiName}" is invalid.`);
  const signatureMethod = header('x-kms-signaturemethod');
  if (signatureMethod !== DKMS_SIGNATURE_METHOD) {
    return fail(400, 'InvalidParam', `The Param x-kms-signaturemethod is invalid.${signatureMethod ? ` message:"${signatureMethod}".` : ''}`);
  }
  const date = header('date') ?? '';
  const dateMs = RFC1123.test(date) ? Date.parse(date) : Number.NaN;
  if (!Number.isFinite(dateMs)) return fail(400, 'InvalidParam', 'The Param Date is invalid.');
  if (Math.abs(dateMs - input.nowMs) > input.maxSkewMs) {
    return fail(400, 'RequestTimeTooSkewed', 'Request time exceeds server time more than 15 minutes.');
  }
  if (header('content-sha256') !== dkmsContentSha256(input.body)) {
    return fail(400, 'InvalidParam', 'The Param Content-SHA256 is invalid.');
  }
  const keyId = header('x-kms-acccesskeyid');
  if (!keyId) return fail(400, 'MissingParameter', 'Parameter x-kms-acccesskeyid does not exist in http header or body.');
  const publicKey = input.publicKeys.get(keyId);
  if (!publicKey) return fail(404, 'Unauthorized', `The AccessKey ID "${keyId}" does not exist in our records.`, keyId);
  const match = /^Bearer ([A-Za-z0-9+/]+={0,2})$/.exec(header('authorization') ?? '');
  if (!match?.[1]) return fail(400, 'InvalidParam', 'The Param Authorization is invalid.', keyId);
  const stringToSign = buildDkmsStringToSign(input.method, Object.fromEntries(
    Object.keys(input.headers).map((name) => [name, header(name)]),
  ));
  if (!verify('sha256', Buffer.from(stringToSign, 'utf8'), publicKey, Buffer.from(match[1], 'base64'))) {
    return fail(401, 'SignatureNotMatch', 'Signature is not matched.', keyId);
  }
  let request: DkmsGetSecretValueRequest;
  try {
    request = dkmsMessages.decodeGetSecretValueRequest(input.body);
  } catch {
    return fail(400, 'InvalidParameter', 'The specified parameter is not valid.', keyId);
  }
  if (!request.SecretName) return fail(400, 'InvalidParameter', 'The specified parameter is not valid.', keyId);
  return { ok: true, keyId, request };
}
