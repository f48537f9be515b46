import type protobuf from 'protobufjs';
import { requireFromPackage } from '../../runtime/require-from-package.js';

/** A scalar kind of proto3 this codec knows: what the DKMS GetSecretValue messages use. */
export type ProtobufFieldKind = 'string' | 'bool' | 'int32';

/** One field of a message: its JSON name, field number, kind, and whether it is `repeated`. */
export interface ProtobufField {
  readonly name: string;
  readonly id: number;
  readonly kind: ProtobufFieldKind;
  readonly repeated?: boolean;
}

/** A message type: its name (for error messages) and fields. */
export interface ProtobufMessageType {
  readonly name: string;
  readonly fields: readonly ProtobufField[];
}

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

function wireTypeOf(kind: ProtobufFieldKind): number {
  return kind === 'string' ? WIRE_LENGTH_DELIMITED : WIRE_VARINT;
}

/** proto3 default of a field, as `toObject({ defaults: true, arrays: true })` of protobufjs gives it. */
function defaultOf(field: ProtobufField): unknown {
  if (field.repeated === true) return [];
  return field.kind === 'string' ? '' : field.kind === 'bool' ? false : 0;
}

function isDefault(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === false || value === 0 || (Array.isArray(value) && value.length === 0);
}

/** The part of protobufjs's minimal runtime this codec uses: its wire reader and writer. */
interface ProtobufRuntime {
  readonly Reader: { create(bytes: Uint8Array): protobuf.Reader };
  readonly Writer: { create(): protobuf.Writer };
}
let runtime: ProtobufRuntime | undefined;

/**
 * protobufjs's minimal runtime (wire reader and writer, no reflection, no code generation), loaded on the first
 * DKMS message: one small file, so the first request of a cold process pays about a millisecond for it instead of
 * the reflection build and the codecs it generated at run time. What `pbjs --target static` emits builds on the
 * same runtime; for three flat messages a field table does the same.
 */
function protobufRuntime(): ProtobufRuntime {
  runtime ??= requireFromPackage('protobufjs/dist/minimal/protobuf.min.js') as ProtobufRuntime;
  return runtime;
}

/**
 * Encodes `message` as `type` in field-number order, leaving out default values (proto3, as the official SDKs
 * write it), so the bytes equal those protobufjs's reflection encoder writes.
 */
export function encodeProtobuf(type: ProtobufMessageType, message: object): Buffer {
  const writer = protobufRuntime().Writer.create();
  const values = message as Record<string, unknown>;
  for (const field of type.fields) {
    const value = values[field.name];
    if (isDefault(value)) continue;
    for (const item of field.repeated === true ? (value as unknown[]) : [value]) {
      writer.uint32(((field.id << 3) | wireTypeOf(field.kind)) >>> 0);
      if (field.kind === 'string') writer.string(String(item));
      else if (field.kind === 'bool') writer.bool(Boolean(item));
      else writer.int32(Number(item));
    }
  }
  return Buffer.from(writer.finish());
}

/**
 * Decodes `bytes` as `type`: every field present in the result with its proto3 default when absent, repeated
 * fields as arrays, the last value of a scalar winning, unknown fields of every wire type skipped.
 *
 * @throws Error (naming the message type and byte offset, never the content) on truncated input, an invalid
 *   wire type, a known field sent with another wire type than its kind, or text that is not UTF-8
 */
export function decodeProtobuf<T>(type: ProtobufMessageType, bytes: Uint8Array): T {
  const result: Record<string, unknown> = {};
  for (const field of type.fields) result[field.name] = defaultOf(field);
  const reader = protobufRuntime().Reader.create(bytes);
  // Never the bytes in an error: they may be anything, including a secret in a half-read field.
  const malformed = (what: string) => new Error(`protobuf ${type.name} ${what} (at byte ${reader.pos})`);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const wireType = tag & 7;
      if (id === 0) throw malformed('has field number 0');
      const field = type.fields.find((candidate) => candidate.id === id);
      if (field === undefined) {
        // With the field number, a group must end with its own end tag (protobufjs's decoders check it too).
        (reader.skipType as (wireType: number, depth: number, fieldNumber: number) => protobuf.Reader).call(reader, wireType, 0, id);
        continue;
      }
      if (wireType !== wireTypeOf(field.kind)) throw malformed(`sends field ${field.name} with wire type ${wireType}`);
      const value = field.kind === 'string' ? utf8(reader.bytes(), field, malformed) : field.kind === 'bool' ? reader.bool() : reader.int32();
      if (field.repeated === true) (result[field.name] as unknown[]).push(value);
      else result[field.name] = value;
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(`protobuf ${type.name} `)) throw error;
    // protobufjs's own messages ("index out of range: 3 + 5 > 3", "invalid wire type 7 at offset 2") carry
    // offsets only, never content.
    throw malformed(`is malformed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result as T;
}

/** proto3 strings must be valid UTF-8; a byte-order mark is content. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8(bytes: Uint8Array, field: ProtobufField, malformed: (what: string) => Error): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw malformed(`sends field ${field.name} as text that is not UTF-8`);
  }
}
