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
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

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

function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** A negative int32 goes on the wire sign-extended to 64 bits: ten bytes, as every protobuf library writes it. */
function pushInt32(out: number[], value: number): void {
  if (value >= 0) {
    pushVarint(out, value);
    return;
  }
  let v = BigInt.asUintN(64, BigInt(value));
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/**
 * Encodes `message` as `type` in the protobuf wire format, fields in number order, proto3 defaults left out
 * (the official SDKs never put them on the wire, and they would change `content-sha256`). Values are coerced
 * like protobufjs's `fromObject`: `String(...)`, `Boolean(...)`, `| 0`.
 *
 * Hand-written for three flat messages of strings, a bool and an int32: a general protobuf library costs a
 * cold process several milliseconds to load and to generate its codecs on the first request.
 */
export function encodeProtobuf(type: ProtobufMessageType, message: object): Buffer {
  const record = message as Record<string, unknown>;
  const parts: Buffer[] = [];
  const head: number[] = [];
  const flushHead = () => {
    if (head.length > 0) parts.push(Buffer.from(head.splice(0)));
  };
  for (const field of type.fields) {
    const value = record[field.name];
    if (isDefault(value)) continue;
    const values = field.repeated === true && Array.isArray(value) ? value : [value];
    for (const item of values) {
      pushVarint(head, ((field.id << 3) | wireTypeOf(field.kind)) >>> 0);
      if (field.kind === 'string') {
        const bytes = Buffer.from(String(item), 'utf8');
        pushVarint(head, bytes.length);
        flushHead();
        parts.push(bytes);
      } else if (field.kind === 'bool') {
        head.push(item ? 1 : 0);
      } else {
        pushInt32(head, Number(item) | 0);
      }
    }
  }
  flushHead();
  return Buffer.concat(parts);
}

/** Reads protobuf wire primitives from a byte array, throwing on anything truncated or malformed. */
class WireReader {
  pos = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly typeName: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The low 32 bits of a varint of up to ten bytes (as protobufjs reads `uint32` and `int32`). */
  varint(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.bytes.length) throw this.error('ends inside a varint');
      const byte = this.bytes[this.pos++] as number;
      if (shift < 32) result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
    }
    throw this.error('has a varint longer than ten bytes');
  }

  /** A field tag: a varint of at most five bytes whose value fits 32 bits (anything longer is malformed). */
  tag(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.bytes.length) throw this.error('ends inside a tag');
      const byte = this.bytes[this.pos++] as number;
      if (shift === 28 && byte > 0x0f) throw this.error('has a tag beyond 32 bits');
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
    }
    throw this.error('has a tag beyond 32 bits');
  }

  skip(length: number): void {
    if (length > this.bytes.length - this.pos) throw this.error('ends inside a field');
    this.pos += length;
  }

  lengthDelimited(): Uint8Array {
    const length = this.varint();
    const start = this.pos;
    this.skip(length);
    return this.bytes.subarray(start, start + length);
  }

  /** Skips field `id` of `wireType` whose tag was just read (a group up to its own end tag). */
  skipField(id: number, wireType: number, depth = 0): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.skip(8);
        return;
      case WIRE_LENGTH_DELIMITED:
        this.lengthDelimited();
        return;
      case WIRE_START_GROUP:
        if (depth > 32) throw this.error('nests groups too deep');
        for (;;) {
          const tag = this.tag();
          if ((tag & 7) === WIRE_END_GROUP) {
            if (tag >>> 3 !== id) throw this.error(`ends group ${id} with the end tag of ${tag >>> 3}`);
            return;
          }
          this.skipField(tag >>> 3, tag & 7, depth + 1);
        }
      case WIRE_FIXED32:
        this.skip(4);
        return;
      default:
        throw this.error(`has invalid wire type ${wireType}`);
    }
  }

  error(what: string): Error {
    // Never the bytes: they may be anything, including a secret in a half-read field.
    return new Error(`protobuf ${this.typeName} ${what} (at byte ${this.pos})`);
  }
}

/**
 * Decodes `bytes` as `type`: every field present in the result with its proto3 default when absent, repeated
 * fields as arrays, the last value of a scalar winning, unknown fields of every wire type skipped.
 *
 * @throws Error (naming the message type and byte offset, never the content) on truncated input, an invalid
 *   wire type, or a known field sent with another wire type than its kind
 */
export function decodeProtobuf<T>(type: ProtobufMessageType, bytes: Uint8Array): T {
  const result: Record<string, unknown> = {};
  for (const field of type.fields) result[field.name] = defaultOf(field);
  const reader = new WireReader(bytes, type.name);
  while (!reader.done) {
    const tag = reader.tag();
    const id = tag >>> 3;
    const wireType = tag & 7;
    if (id === 0) throw reader.error('has field number 0');
    const field = type.fields.find((candidate) => candidate.id === id);
    if (field === undefined) {
      reader.skipField(id, wireType);
      continue;
    }
    if (wireType !== wireTypeOf(field.kind)) throw reader.error(`sends field ${field.name} with wire type ${wireType}`);
    const value =
      field.kind === 'string'
        ? utf8(reader, field)
        : field.kind === 'bool'
          ? reader.varint() !== 0
          : reader.varint() | 0;
    if (field.repeated === true) (result[field.name] as unknown[]).push(value);
    else result[field.name] = value;
  }
  return result as T;
}

/** proto3 strings must be valid UTF-8 (protobufjs rejects the others too); a byte-order mark is content. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8(reader: WireReader, field: ProtobufField): string {
  const bytes = reader.lengthDelimited();
  try {
    return UTF8.decode(bytes);
  } catch {
    throw reader.error(`sends field ${field.name} as text that is not UTF-8`);
  }
}
