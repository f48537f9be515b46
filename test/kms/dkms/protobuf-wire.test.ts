import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { dkmsMessages } from '../../../src/kms/dkms/dkms-messages.js';
import { decodeProtobuf, encodeProtobuf, type ProtobufMessageType } from '../../../src/kms/dkms/protobuf-wire.js';
import { varint } from '../../support/protobuf-varint.js';

// The hand-written codec against protobufjs (a development dependency only, for this comparison): the same
// bytes out for the same message, the same message out of the same bytes.
const SEED = 0x9b0f_0a11;

const root = protobuf.Root.fromJSON({
  nested: {
    api: {
      nested: {
        GetSecretValueRequest: {
          fields: {
            SecretName: { type: 'string', id: 1 },
            VersionStage: { type: 'string', id: 2 },
            VersionId: { type: 'string', id: 3 },
            FetchExtendedConfig: { type: 'bool', id: 4 },
          },
        },
        GetSecretValueResponse: {
          fields: {
            SecretName: { type: 'string', id: 1 },
            SecretType: { type: 'string', id: 2 },
            SecretData: { type: 'string', id: 3 },
            SecretDataType: { type: 'string', id: 4 },
            VersionStages: { rule: 'repeated', type: 'string', id: 5 },
            VersionId: { type: 'string', id: 6 },
            CreateTime: { type: 'string', id: 7 },
            RequestId: { type: 'string', id: 8 },
            LastRotationDate: { type: 'string', id: 9 },
            NextRotationDate: { type: 'string', id: 10 },
            ExtendedConfig: { type: 'string', id: 11 },
            AutomaticRotation: { type: 'string', id: 12 },
            RotationInterval: { type: 'string', id: 13 },
          },
        },
        Error: {
          fields: {
            StatusCode: { type: 'int32', id: 1 },
            ErrorCode: { type: 'string', id: 2 },
            ErrorMessage: { type: 'string', id: 3 },
            RequestId: { type: 'string', id: 4 },
          },
        },
      },
    },
  },
});
const reference = {
  request: root.lookupType('api.GetSecretValueRequest'),
  response: root.lookupType('api.GetSecretValueResponse'),
  error: root.lookupType('api.Error'),
};

/** protobufjs encodes a present '' or false too; the SDKs (and our codec) leave proto3 defaults out. */
function referenceEncode(type: protobuf.Type, message: Record<string, unknown>): string {
  const present = Object.fromEntries(
    Object.entries(message).filter(([, v]) => !(v === '' || v === false || v === 0 || v === undefined || (Array.isArray(v) && v.length === 0))),
  );
  return Buffer.from(type.encode(type.fromObject(present)).finish()).toString('hex');
}

function referenceDecode(type: protobuf.Type, bytes: Uint8Array): unknown {
  return type.toObject(type.decode(bytes), { defaults: true, arrays: true });
}

const text = fc.oneof(fc.constant(''), fc.string({ maxLength: 40, unit: 'binary' }), fc.string({ minLength: 120, maxLength: 400 }));
const requestMessage = fc.record({ SecretName: text, VersionStage: text, VersionId: text, FetchExtendedConfig: fc.boolean() });
const responseMessage = fc.record({
  SecretName: text,
  SecretType: text,
  SecretData: text,
  SecretDataType: text,
  VersionStages: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
  VersionId: text,
  CreateTime: text,
  RequestId: text,
  LastRotationDate: text,
  NextRotationDate: text,
  ExtendedConfig: text,
  AutomaticRotation: text,
  RotationInterval: text,
});
const errorMessage = fc.record({ StatusCode: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), ErrorCode: text, ErrorMessage: text, RequestId: text });

/** Unknown fields (numbers 14 and up) of every wire type protobufjs skips, with well-formed payloads. */
const unknownField = fc.oneof(
  fc.record({ id: fc.integer({ min: 14, max: 536_870_911 }), wire: fc.constant(0), value: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
  fc.record({ id: fc.integer({ min: 14, max: 536_870_911 }), wire: fc.constant(2), bytes: fc.uint8Array({ maxLength: 20 }) }),
  fc.record({ id: fc.integer({ min: 14, max: 536_870_911 }), wire: fc.constantFrom(1, 5) }),
);


function encodeUnknown(field: { id: number; wire: number; value?: number; bytes?: Uint8Array }): number[] {
  const tag = varint(field.id * 8 + field.wire);
  if (field.wire === 0) return [...tag, ...varint(field.value ?? 0)];
  if (field.wire === 2) return [...tag, ...varint(field.bytes?.length ?? 0), ...(field.bytes ?? [])];
  return [...tag, ...new Array<number>(field.wire === 1 ? 8 : 4).fill(7)];
}

describe('DKMS protobuf codec (field tables over protobufjs minimal) against protobufjs reflection', () => {
  it('encodes every DKMS message to the bytes protobufjs writes', () => {
    fc.assert(
      fc.property(requestMessage, responseMessage, errorMessage, (request, response, error) => {
        expect(dkmsMessages.encodeGetSecretValueRequest(request).toString('hex')).toBe(referenceEncode(reference.request, request));
        expect(dkmsMessages.encodeGetSecretValueResponse(response).toString('hex')).toBe(referenceEncode(reference.response, response));
        expect(dkmsMessages.encodeError(error).toString('hex')).toBe(referenceEncode(reference.error, error));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('decodes what protobufjs writes, unknown fields mixed in, to the message protobufjs reads', () => {
    fc.assert(
      fc.property(responseMessage, errorMessage, fc.array(unknownField, { maxLength: 4 }), (response, error, unknown) => {
        const extra = Buffer.from(unknown.flatMap(encodeUnknown));
        const responseBytes = Buffer.concat([extra, Buffer.from(referenceEncode(reference.response, response), 'hex'), extra]);
        expect(dkmsMessages.decodeGetSecretValueResponse(responseBytes)).toEqual(referenceDecode(reference.response, responseBytes));
        expect(dkmsMessages.decodeGetSecretValueResponse(responseBytes)).toEqual(response);
        const errorBytes = Buffer.concat([Buffer.from(referenceEncode(reference.error, error), 'hex'), extra]);
        expect(dkmsMessages.decodeError(errorBytes)).toEqual(referenceDecode(reference.error, errorBytes));
        expect(dkmsMessages.decodeError(errorBytes)).toEqual(error);
      }),
      { seed: SEED + 1, numRuns: 400 },
    );
  });

  it('whatever bytes it accepts, protobufjs reads the same message from', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(unknownField, { maxLength: 6 }).map((f) => Uint8Array.from(f.flatMap(encodeUnknown))),
      // Known fields too: strings (valid UTF-8 or not), varints, wrong wire types.
      fc.array(fc.tuple(fc.integer({ min: 1, max: 16 }), fc.constantFrom(0, 2, 3, 4), fc.uint8Array({ maxLength: 12 })), { maxLength: 6 }).map((fields) =>
        Uint8Array.from(fields.flatMap(([id, wire, payload]) => [...varint(id * 8 + wire), ...(wire === 2 ? varint(payload.length) : []), ...payload])),
      ),
    );
    const same = (decode: () => unknown, type: protobuf.Type, input: Uint8Array) => {
      let ours: unknown;
      try {
        ours = decode();
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        return;
      }
      expect(ours).toEqual(referenceDecode(type, input));
    };
    fc.assert(
      fc.property(bytes, (input) => {
        same(() => dkmsMessages.decodeError(input), reference.error, input);
        same(() => dkmsMessages.decodeGetSecretValueResponse(input), reference.response, input);
        same(() => dkmsMessages.decodeGetSecretValueRequest(input), reference.request, input);
      }),
      { seed: SEED + 2, numRuns: 3000 },
    );
  });

  it('skips groups, takes the last of repeated scalars, and refuses a known field with another wire type', () => {
    const type: ProtobufMessageType = { name: 'T', fields: [{ name: 'A', id: 1, kind: 'string' }] };
    // field 20 start group, inside it field 21 varint, field 20 end group; then A = "x", then A = "yz"
    const bytes = Buffer.from('a301' + 'a80105' + 'a401' + '0a0178' + '0a02797a', 'hex');
    expect(decodeProtobuf(type, bytes)).toEqual(referenceDecode(new protobuf.Type('T').add(new protobuf.Field('A', 1, 'string')), bytes));
    expect(decodeProtobuf(type, bytes)).toEqual({ A: 'yz' });
    expect(() => decodeProtobuf(type, Buffer.from('0801', 'hex'))).toThrow('protobuf T sends field A with wire type 0 (at byte 1)');
    // Truncated input: protobufjs's reader says where, and the error names the message type.
    expect(() => decodeProtobuf(type, Buffer.from('0a05ab', 'hex'))).toThrow(/^protobuf T is malformed: index out of range/);
    expect(() => decodeProtobuf(type, Buffer.from('0aff', 'hex'))).toThrow(/^protobuf T is malformed: index out of range/);
    expect(() => decodeProtobuf(type, Buffer.from('0a01ff', 'hex'))).toThrow('protobuf T sends field A as text that is not UTF-8');
    expect(encodeProtobuf({ name: 'N', fields: [{ name: 'n', id: 1, kind: 'int32' }] }, { n: -1 }).toString('hex')).toBe('08ffffffffffffffffff01');
  });

  it('never puts the bytes it could not read into its error', () => {
    const secret = Buffer.from('0a40' + Buffer.from('AccessKeySecret-never-in-errors').toString('hex'), 'hex');
    let message = '';
    try {
      dkmsMessages.decodeGetSecretValueResponse(secret);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^protobuf GetSecretValueResponse is malformed: index out of range/);
    expect(message).not.toContain('AccessKeySecret');
  });
});
