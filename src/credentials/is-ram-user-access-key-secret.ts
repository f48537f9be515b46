import type { SecretInfo } from '../kms/secret-info.js';

/**
 * Whether a secret is a managed RAM user AccessKey that KMS rotates: `SecretType` `RAMCredentials`
 * (compared case-insensitively; the Java client spells it `RamCredentials`) and `ExtendedConfig.SecretSubType`
 * `RamUserAccessKey`. Such secrets get the rotation-aware refresh schedule.
 */
export function isRamUserAccessKeySecret(info: Pick<SecretInfo, 'secretType' | 'extendedConfig'>): boolean {
  const subType = info.extendedConfig?.SecretSubType;
  return (
    info.secretType?.toLowerCase() === 'ramcredentials' &&
    typeof subType === 'string' &&
    subType.toLowerCase() === 'ramuseraccesskey'
  );
}
