import { inspect } from 'node:util';
import { fingerprint } from '../runtime/fingerprint.js';

/** The fields of a GetSecretValue response, normalized (empty strings become `undefined`). */
export interface SecretInfoFields {
  secretName: string;
  /** `Generic`, `Rds`, `Redis`, `RAMCredentials`, `ECS`, `PolarDB`, ... */
  secretType?: string;
  /** The decrypted value (base64 text when `secretDataType` is `binary`). Secret. */
  secretData: string;
  /** `text` or `binary`. */
  secretDataType?: string;
  versionId?: string;
  versionStages: readonly string[];
  /** Creation time of this version, epoch ms. */
  createTimeMs?: number;
  /** Epoch ms. */
  lastRotationDateMs?: number;
  /** Epoch ms; present only when automatic rotation is on. */
  nextRotationDateMs?: number;
  /** Parsed `ExtendedConfig` JSON (e.g. `{ SecretSubType: 'RamUserAccessKey' }`). */
  extendedConfig?: Readonly<Record<string, unknown>>;
  /** `Enabled`, `Disabled`, ... */
  automaticRotation?: string;
  /** Rotation period in ms (the service sends seconds as `604800s`). */
  rotationIntervalMs?: number;
  /** Request id of the call that produced this value, for support tickets. */
  requestId?: string;
}

/**
 * One version of a secret as read from KMS. Immutable. `secretData` is readable as a property but is
 * never shown by `toString`, `toJSON` (and so `JSON.stringify`) or `util.inspect`, which print a short
 * fingerprint instead.
 */
export class SecretInfo implements SecretInfoFields {
  declare readonly secretName: string;
  declare readonly secretType?: string;
  declare readonly secretDataType?: string;
  declare readonly versionId?: string;
  declare readonly versionStages: readonly string[];
  declare readonly createTimeMs?: number;
  declare readonly lastRotationDateMs?: number;
  declare readonly nextRotationDateMs?: number;
  declare readonly extendedConfig?: Readonly<Record<string, unknown>>;
  declare readonly automaticRotation?: string;
  declare readonly rotationIntervalMs?: number;
  declare readonly requestId?: string;
  declare readonly secretData: string;

  /** @param fields - normalized response fields; `secretData` is stored non-enumerable. */
  constructor(fields: SecretInfoFields) {
    const { secretData, ...rest } = fields;
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) (this as Record<string, unknown>)[key] = value;
    }
    this.versionStages = Object.freeze([...fields.versionStages]);
    if (fields.extendedConfig) this.extendedConfig = Object.freeze({ ...fields.extendedConfig });
    Object.defineProperty(this, 'secretData', { value: secretData, enumerable: false });
    Object.freeze(this);
  }

  /** Everything but the secret value, plus `secretDataFingerprint`. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), secretDataFingerprint: fingerprint(this.secretData) };
  }

  /** `SecretInfo(name, version, sha256:xxxxxxxx)`. */
  toString(): string {
    return `SecretInfo(${this.secretName}, version ${this.versionId ?? '?'}, sha256:${fingerprint(this.secretData)})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `SecretInfo ${inspect(this.toJSON(), options)}`;
  }
}
