import type protobuf from 'protobufjs';
import { requireFromPackage } from '../../runtime/require-from-package.js';

/** `GetSecretValueRequest` of the KMS instance API (field numbers 1-4). */
export interface DkmsGetSecretValueRequest {
  SecretName: string;
  VersionStage?: string;
  VersionId?: string;
  FetchExtendedConfig?: boolean;
}

/** `GetSecretValueResponse` of the KMS instance API as decoded: absent strings are `''`, like proto3. */
export interface DkmsGetSecretValueResponse {
  SecretName: string;
  SecretType: string;
  SecretData: string;
  SecretDataType: string;
  VersionStages: string[];
  VersionId: string;
  CreateTime: string;
  RequestId: string;
  LastRotationDate: string;
  NextRotationDate: string;
  ExtendedConfig: string;
  AutomaticRotation: string;
  RotationInterval: string;
}

/** The `Error` body of every 4xx/5xx answer. */
export interface DkmsErrorBody {
  StatusCode: number;
  ErrorCode: string;
  ErrorMessage: string;
  RequestId: string;
}

/** The message types, built on first use: an application that never talks to a KMS instance never loads protobufjs. */
interface DkmsTypes {
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
  readonly error: protobuf.Type;
}
let types: DkmsTypes | undefined;

function dkmsTypes(): DkmsTypes {
  if (types !== undefined) return types;
  // protobufjs's own single-file build of its reflection API ("light": no .proto parser, which we do not use):
  // one file loads in about a fifth of the time of the ~40 modules behind the package's main entry.
  const protobufLib = requireFromPackage('protobufjs/dist/light/protobuf.min.js') as typeof protobuf;
  // Defined in code (not loaded from a .proto file) so the ESM and CJS builds need no runtime file reads.
  const root = protobufLib.Root.fromJSON(ROOT_JSON);
  types = {
    request: root.lookupType('api.GetSecretValueRequest'),
    response: root.lookupType('api.GetSecretValueResponse'),
    error: root.lookupType('api.Error'),
  };
  return types;
}

const ROOT_JSON: protobuf.INamespace = {
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
};

const toObjectOptions = { defaults: true, arrays: true } as const;

/** Drops proto3 default values, which the SDKs never put on the wire (they would change content-sha256). */
function withoutDefaults(message: object): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) {
    if (value === undefined || value === '' || value === false || value === 0) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    result[key] = value;
  }
  return result;
}

function encode(type: protobuf.Type, message: object): Buffer {
  const bytes = type.encode(type.fromObject(withoutDefaults(message))).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Protobuf codec of the messages GetSecretValue uses (protobufjs, reflection API). Encoders omit default
 * values like the official SDKs; decoders skip unknown fields and throw on malformed input.
 */
export const dkmsMessages = {
  encodeGetSecretValueRequest(message: DkmsGetSecretValueRequest): Buffer {
    return encode(dkmsTypes().request, message);
  },
  decodeGetSecretValueRequest(bytes: Uint8Array): DkmsGetSecretValueRequest {
    const type = dkmsTypes().request;
    return type.toObject(type.decode(bytes), toObjectOptions) as DkmsGetSecretValueRequest;
  },
  encodeGetSecretValueResponse(message: Partial<DkmsGetSecretValueResponse>): Buffer {
    return encode(dkmsTypes().response, message);
  },
  decodeGetSecretValueResponse(bytes: Uint8Array): DkmsGetSecretValueResponse {
    const type = dkmsTypes().response;
    return type.toObject(type.decode(bytes), toObjectOptions) as DkmsGetSecretValueResponse;
  },
  encodeError(message: Partial<DkmsErrorBody>): Buffer {
    return encode(dkmsTypes().error, message);
  },
  decodeError(bytes: Uint8Array): DkmsErrorBody {
    const type = dkmsTypes().error;
    return type.toObject(type.decode(bytes), toObjectOptions) as DkmsErrorBody;
  },
};
