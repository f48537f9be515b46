import { inspect } from 'node:util';
import { fingerprint } from '../runtime/fingerprint.js';

/** The fields of an {@link AccessKeyCredential}. */
export interface AccessKeyCredentialFields {
  accessKeyId: string;
  /** Secret. */
  accessKeySecret: string;
  /** STS token for STS-style secrets. Secret. */
  securityToken?: string;
  /** When KMS generated this key (`GenerateTimestamp`), epoch ms. */
  generatedAtMs?: number;
  /** When the key stops working (`ExpireTimestamp`), epoch ms. */
  expiresAtMs?: number;
  /** Name of the secret this came from. */
  secretName?: string;
  /** KMS version id of the secret version this came from. */
  versionId?: string;
}

/**
 * One AccessKey (id, secret, optional STS token) as a single immutable value, so a request is always signed
 * with a matching triple. `accessKeySecret` and `securityToken` are non-enumerable and never shown by
 * `toString`, `toJSON` or `util.inspect`; those print the AccessKeyId and a short fingerprint.
 */
export class AccessKeyCredential {
  declare readonly accessKeyId: string;
  declare readonly accessKeySecret: string;
  declare readonly securityToken?: string;
  declare readonly generatedAtMs?: number;
  declare readonly expiresAtMs?: number;
  declare readonly secretName?: string;
  declare readonly versionId?: string;

  /** @param fields - the key material and metadata */
  constructor(fields: AccessKeyCredentialFields) {
    const { accessKeySecret, securityToken, ...visible } = fields;
    for (const [key, value] of Object.entries(visible)) {
      if (value !== undefined) (this as Record<string, unknown>)[key] = value;
    }
    Object.defineProperty(this, 'accessKeySecret', { value: accessKeySecret, enumerable: false });
    if (securityToken !== undefined) {
      Object.defineProperty(this, 'securityToken', { value: securityToken, enumerable: false });
    }
    Object.freeze(this);
  }

  /** Short fingerprint of the secret (and token), to tell two keys with the same id apart in logs. */
  get fingerprint(): string {
    return fingerprint(this.accessKeySecret + (this.securityToken ?? ''));
  }

  /** Whether this and `other` are the same key material. */
  sameKeyAs(other: AccessKeyCredential | undefined): boolean {
    return (
      other !== undefined &&
      other.accessKeyId === this.accessKeyId &&
      other.accessKeySecret === this.accessKeySecret &&
      other.securityToken === this.securityToken
    );
  }

  /** Id and metadata plus `fingerprint`; never the secret or token. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), hasSecurityToken: this.securityToken !== undefined, fingerprint: this.fingerprint };
  }

  /** `AccessKeyCredential(LTAI..., sha256:xxxxxxxx)`. */
  toString(): string {
    return `AccessKeyCredential(${this.accessKeyId}, sha256:${this.fingerprint})`;
  }

  [inspect.custom](_depth: number, options: object): string {
    return `AccessKeyCredential ${inspect(this.toJSON(), options)}`;
  }
}
