import { describe, expect, it } from 'vitest';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import { vectors } from './fixtures.js';

describe('dkmsMessages', () => {
  it('decodes and re-encodes the vector GetSecretValueResponse (all 13 fields)', () => {
    const bytes = Buffer.from(vectors.getSecretValueResponse.hex, 'hex');
    expect(dkmsMessages.decodeGetSecretValueResponse(bytes)).toEqual(vectors.getSecretValueResponse.message);
    expect(dkmsMessages.encodeGetSecretValueResponse(vectors.getSecretValueResponse.message).toString('hex')).toBe(
      vectors.getSecretValueResponse.hex,
    );
  });

  it('decodes and re-encodes the vector Error', () => {
    const bytes = Buffer.from(vectors.errorResponse.hex, 'hex');
    expect(dkmsMessages.decodeError(bytes)).toEqual(vectors.errorResponse.message);
    expect(dkmsMessages.encodeError(vectors.errorResponse.message).toString('hex')).toBe(vectors.errorResponse.hex);
  });

  it('skips unknown fields of every wire type', () => {
    // field 99 varint, field 100 length-delimited, field 101 fixed64, field 102 fixed32
    const unknown = Buffer.from('98060a' + 'a20603616263' + 'a9060102030405060708' + 'b50601020304', 'hex');
    const bytes = Buffer.concat([unknown, Buffer.from(vectors.errorResponse.hex, 'hex'), unknown]);
    expect(dkmsMessages.decodeError(bytes)).toEqual(vectors.errorResponse.message);
  });

  it('gives proto3 defaults for absent fields and omits defaults when encoding', () => {
    const decoded = dkmsMessages.decodeGetSecretValueResponse(Buffer.from('0a0161', 'hex'));
    expect(decoded.SecretName).toBe('a');
    expect(decoded.NextRotationDate).toBe('');
    expect(decoded.VersionStages).toEqual([]);
    const encoded = dkmsMessages.encodeGetSecretValueRequest({ SecretName: 'a', VersionStage: '', FetchExtendedConfig: false });
    expect(encoded.toString('hex')).toBe('0a0161');
  });

  it('throws on truncated or non-protobuf input', () => {
    expect(() => dkmsMessages.decodeError(Buffer.from('0a10ab', 'hex'))).toThrow();
    expect(() => dkmsMessages.decodeError(Buffer.from('<html>Bad Gateway</html>'))).toThrow();
  });
});
