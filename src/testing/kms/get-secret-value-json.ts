import { randomUUID } from 'node:crypto';
import { formatKmsDate, type SecretVersionRecord } from '../secret-store.js';

/**
 * A secret version as the KMS OpenAPI's GetSecretValue answers it in JSON (the KMS Agent's `ResponseType` 0 is the
 * same body): a fresh `RequestId`, KMS's date format, `VersionStages` wrapped in an object, and the optional fields
 * only when the version has them.
 */
export function getSecretValueJson(secret: SecretVersionRecord, withExtendedConfig: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = {
    RequestId: randomUUID().toUpperCase(),
    SecretName: secret.secretName,
    SecretType: secret.secretType,
    SecretData: secret.secretData,
    SecretDataType: secret.secretDataType,
    VersionId: secret.versionId,
    CreateTime: formatKmsDate(secret.createTimeMs),
    // The OpenAPI wraps the list in an object.
    VersionStages: { VersionStage: [...secret.versionStages] },
  };
  if (secret.lastRotationDateMs !== undefined) json['LastRotationDate'] = formatKmsDate(secret.lastRotationDateMs);
  if (secret.nextRotationDateMs !== undefined) json['NextRotationDate'] = formatKmsDate(secret.nextRotationDateMs);
  if (secret.automaticRotation !== undefined) json['AutomaticRotation'] = secret.automaticRotation;
  if (secret.rotationIntervalMs !== undefined) json['RotationInterval'] = `${Math.floor(secret.rotationIntervalMs / 1000)}s`;
  if (withExtendedConfig && secret.extendedConfig !== undefined) json['ExtendedConfig'] = secret.extendedConfig;
  return json;
}
