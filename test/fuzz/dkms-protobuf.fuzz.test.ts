import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFromPem } from '../../src/kms/dkms/client-key-loader.js';
import { dkmsMessages, type DkmsGetSecretValueResponse } from '../../src/kms/dkms/dkms-messages.js';
import { DkmsSecretSource } from '../../src/kms/dkms/dkms-secret-source.js';
import { toSecretInfo } from '../../src/kms/dkms/secret-value-normalization.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { SecretInfo } from '../../src/kms/secret-info.js';
import { createTestClientKey, createTestPki } from '../../src/testing/pki/index.js';
import { ScriptedHttpServer } from '../support/scripted-http-server.js';
import { varint } from '../support/protobuf-varint.js';

// Fixed seeds: CI runs the same cases every time; a failure prints the seed and path to replay it.
const SEED = 0x5eed_d4a5;

/** A protobuf field: tag (any field number, any wire type) and a payload that may or may not fit it. */
const wireField = fc.record({
  field: fc.oneof(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 16, max: 536_870_911 })),
  wireType: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7),
  payload: fc.uint8Array({ maxLength: 40 }),
  declaredLength: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { nil: undefined }),
});


/** Bytes that look like protobuf: real tags, real or lying length prefixes, arbitrary payloads. */
const protobufish = fc.array(wireField, { maxLength: 12 }).map((fields) => {
  const bytes: number[] = [];
  for (const f of fields) {
    bytes.push(...varint(f.field * 8 + f.wireType));
    if (f.wireType === 2) bytes.push(...varint(f.declaredLength ?? f.payload.length));
    bytes.push(...f.payload);
  }
  return Uint8Array.from(bytes);
});

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 600 }), protobufish);

/** A decoder either returns a well-typed message or throws an Error (never a string, never hangs). */
function decodeOutcome<T>(decode: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    return { ok: false, error };
  }
}

const STRING_FIELDS: Array<keyof DkmsGetSecretValueResponse> = [
  'SecretName',
  'SecretType',
  'SecretData',
  'SecretDataType',
  'VersionId',
  'CreateTime',
  'RequestId',
  'LastRotationDate',
  'NextRotationDate',
  'ExtendedConfig',
  'AutomaticRotation',
  'RotationInterval',
];

describe('DKMS protobuf decoders on arbitrary bytes', () => {
  it('decodeGetSecretValueResponse returns all 13 fields with proto3 types, or throws an Error', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const outcome = decodeOutcome(() => dkmsMessages.decodeGetSecretValueResponse(bytes));
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(Error);
          return;
        }
        for (const field of STRING_FIELDS) expect(typeof outcome.value[field]).toBe('string');
        expect(Array.isArray(outcome.value.VersionStages)).toBe(true);
        for (const stage of outcome.value.VersionStages) expect(typeof stage).toBe('string');
        // Whatever decoded normalizes into a SecretInfo without throwing.
        const info = toSecretInfo(outcome.value, 'fallback-name');
        expect(info).toBeInstanceOf(SecretInfo);
        expect(info.secretName.length).toBeGreaterThan(0);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('decodeError returns a numeric StatusCode and string fields, or throws an Error', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const outcome = decodeOutcome(() => dkmsMessages.decodeError(bytes));
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(Error);
          return;
        }
        expect(Number.isInteger(outcome.value.StatusCode)).toBe(true);
        for (const field of ['ErrorCode', 'ErrorMessage', 'RequestId'] as const) expect(typeof outcome.value[field]).toBe('string');
      }),
      { seed: SEED + 1, numRuns: 3000 },
    );
  });

  it('decodes what it encodes, for any field values (round trip)', () => {
    const text = fc.string({ maxLength: 30, unit: 'binary' });
    fc.assert(
      fc.property(
        fc.record({ SecretName: text, SecretData: text, VersionStages: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 3 }), RequestId: text }),
        fc.record({ StatusCode: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), ErrorCode: text, ErrorMessage: text }),
        (response, error) => {
          const decoded = dkmsMessages.decodeGetSecretValueResponse(dkmsMessages.encodeGetSecretValueResponse(response));
          expect({ SecretName: decoded.SecretName, SecretData: decoded.SecretData, VersionStages: decoded.VersionStages, RequestId: decoded.RequestId }).toEqual(response);
          const decodedError = dkmsMessages.decodeError(dkmsMessages.encodeError(error));
          expect({ StatusCode: decodedError.StatusCode, ErrorCode: decodedError.ErrorCode, ErrorMessage: decodedError.ErrorMessage }).toEqual(error);
        },
      ),
      { seed: SEED + 2, numRuns: 500 },
    );
  });
});

describe('DkmsSecretSource against a gateway answering arbitrary bytes over real TLS', () => {
  const pki = createTestPki();
  const clientKey = createTestClientKey();
  let server: ScriptedHttpServer;
  let source: DkmsSecretSource;

  beforeAll(async () => {
    server = await ScriptedHttpServer.start(pki);
    source = new DkmsSecretSource({
      endpoint: server.hostPort,
      clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem),
      ca: pki.caBundlePem,
      maxResponseBytes: 4096,
    });
  });
  afterAll(async () => {
    source.close();
    await server.stop();
  });

  it('resolves a SecretInfo or rejects with a KmsError that does not echo the body; never anything else', async () => {
    const status = fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503, 504);
    const contentType = fc.constantFrom('application/x-protobuf', 'text/html', 'application/json', undefined);
    // A marker inside the body: if an error message quoted the body, the marker would show.
    const marker = 'BODY-MARKER-7f3a';
    const body = fc.oneof(
      anyBytes.map((b) => Buffer.from(b)),
      anyBytes.map((b) => Buffer.concat([Buffer.from(b), Buffer.from(marker)])),
      fc.constant(Buffer.from(`<html>${marker}</html>`)),
    );
    await fc.assert(
      fc.asyncProperty(status, contentType, body, async (httpStatus, type, bytes) => {
        const headers: Record<string, string> = type ? { 'content-type': type } : {};
        server.answer = () => ({ status: httpStatus, body: bytes, headers });
        const outcome = await source.getSecretValue({ secretName: 'fuzzed' }).then(
          (info) => ({ ok: true as const, info }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        if (outcome.ok) {
          expect(httpStatus).toBeLessThan(400);
          expect(outcome.info).toBeInstanceOf(SecretInfo);
          return;
        }
        expect(outcome.error).toBeInstanceOf(KmsError);
        const error = outcome.error as KmsError;
        expect(typeof error.code).toBe('string');
        expect(typeof error.retryable).toBe('boolean');
        if (httpStatus >= 400) expect(error.httpStatus).toBe(httpStatus);
        // A protobuf Error's own ErrorMessage may be quoted (that is the service talking); raw bytes never.
        const decodedMessage = decodeOutcome(() => dkmsMessages.decodeError(bytes));
        const quotedByService = decodedMessage.ok && (decodedMessage.value.ErrorMessage + decodedMessage.value.ErrorCode).includes(marker);
        if (!quotedByService) expect(error.message).not.toContain(marker);
      }),
      { seed: SEED + 3, numRuns: 250 },
    );
  });

  it('refuses a body beyond maxResponseBytes with ResponseTooLarge (declared or streamed)', async () => {
    server.answer = () => ({ status: 200, body: Buffer.alloc(64 * 1024, 0x0a) });
    await expect(source.getSecretValue({ secretName: 'big' })).rejects.toMatchObject({ name: 'KmsError', code: 'Kms.ResponseTooLarge' });
  });
});
