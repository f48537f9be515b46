import { decodeProtobuf, encodeProtobuf, type ProtobufMessageType } from './protobuf-wire.js';

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

const STRING = 'string' as const;

/** `api.GetSecretValueRequest`. */
const REQUEST: ProtobufMessageType = {
  name: 'GetSecretValueRequest',
  fields: [
    { name: 'SecretName', id: 1, kind: STRING },
    { name: 'VersionStage', id: 2, kind: STRING },
    { name: 'VersionId', id: 3, kind: STRING },
    { name: 'FetchExtendedConfig', id: 4, kind: 'bool' },
  ],
};

/** `api.GetSecretValueResponse`. */
const RESPONSE: ProtobufMessageType = {
  name: 'GetSecretValueResponse',
  fields: [
    { name: 'SecretName', id: 1, kind: STRING },
    { name: 'SecretType', id: 2, kind: STRING },
    { name: 'SecretData', id: 3, kind: STRING },
    { name: 'SecretDataType', id: 4, kind: STRING },
    { name: 'VersionStages', id: 5, kind: STRING, repeated: true },
    { name: 'VersionId', id: 6, kind: STRING },
    { name: 'CreateTime', id: 7, kind: STRING },
    { name: 'RequestId', id: 8, kind: STRING },
    { name: 'LastRotationDate', id: 9, kind: STRING },
    { name: 'NextRotationDate', id: 10, kind: STRING },
    { name: 'ExtendedConfig', id: 11, kind: STRING },
    { name: 'AutomaticRotation', id: 12, kind: STRING },
    { name: 'RotationInterval', id: 13, kind: STRING },
  ],
};

/** `api.Error`. */
const ERROR: ProtobufMessageType = {
  name: 'Error',
  fields: [
    { name: 'StatusCode', id: 1, kind: 'int32' },
    { name: 'ErrorCode', id: 2, kind: STRING },
    { name: 'ErrorMessage', id: 3, kind: STRING },
    { name: 'RequestId', id: 4, kind: STRING },
  ],
};

/**
 * Protobuf codec of the messages GetSecretValue uses (the wire format of `dkms-gcs-0.2`; see
 * {@link encodeProtobuf}). Encoders omit default values like the official SDKs; decoders give every field
 * (proto3 defaults when absent), skip unknown fields and throw on malformed input.
 */
export const dkmsMessages = {
  encodeGetSecretValueRequest(message: DkmsGetSecretValueRequest): Buffer {
    return encodeProtobuf(REQUEST, message);
  },
  decodeGetSecretValueRequest(bytes: Uint8Array): DkmsGetSecretValueRequest {
    return decodeProtobuf<DkmsGetSecretValueRequest>(REQUEST, bytes);
  },
  encodeGetSecretValueResponse(message: Partial<DkmsGetSecretValueResponse>): Buffer {
    return encodeProtobuf(RESPONSE, message);
  },
  decodeGetSecretValueResponse(bytes: Uint8Array): DkmsGetSecretValueResponse {
    return decodeProtobuf<DkmsGetSecretValueResponse>(RESPONSE, bytes);
  },
  encodeError(message: Partial<DkmsErrorBody>): Buffer {
    return encodeProtobuf(ERROR, message);
  },
  decodeError(bytes: Uint8Array): DkmsErrorBody {
    return decodeProtobuf<DkmsErrorBody>(ERROR, bytes);
  },
};
