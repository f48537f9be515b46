import { SecretInfo } from '../secret-info.js';
import type { DkmsGetSecretValueResponse } from './dkms-messages.js';

const KMS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** `''` (proto3's "absent") and whitespace-only strings become `undefined`. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Parses a KMS time (`yyyy-MM-ddTHH:mm:ssZ`, UTC) to epoch ms; anything else gives `undefined`. */
export function parseKmsDateMs(value: string | undefined): number | undefined {
  const text = present(value)?.trim();
  if (text === undefined || !KMS_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses a rotation interval (`604800s`, seconds; a bare number is read as seconds too) to ms. */
export function parseRotationIntervalMs(value: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s?$/.exec(present(value)?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const ms = Math.round(Number(match[1]) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Parses `ExtendedConfig` JSON text; anything but a JSON object (including bad JSON) gives `undefined`. */
export function parseExtendedConfig(value: string | undefined): Record<string, unknown> | undefined {
  const text = present(value);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a decoded GetSecretValue response into a {@link SecretInfo}: empty strings become `undefined`,
 * dates become epoch ms, `RotationInterval` (`604800s`) becomes ms, `ExtendedConfig` is parsed (bad JSON is
 * dropped, never thrown). `secretNameFallback` fills a missing `SecretName`.
 */
export function toSecretInfo(response: DkmsGetSecretValueResponse, secretNameFallback: string): SecretInfo {
  const optional = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return new SecretInfo({
    secretName: present(response.SecretName) ?? secretNameFallback,
    secretData: response.SecretData ?? '',
    versionStages: (response.VersionStages ?? []).filter((stage) => stage !== ''),
    ...optional('secretType', present(response.SecretType)),
    ...optional('secretDataType', present(response.SecretDataType)),
    ...optional('versionId', present(response.VersionId)),
    ...optional('createTimeMs', parseKmsDateMs(response.CreateTime)),
    ...optional('lastRotationDateMs', parseKmsDateMs(response.LastRotationDate)),
    ...optional('nextRotationDateMs', parseKmsDateMs(response.NextRotationDate)),
    ...optional('extendedConfig', parseExtendedConfig(response.ExtendedConfig)),
    ...optional('automaticRotation', present(response.AutomaticRotation)),
    ...optional('rotationIntervalMs', parseRotationIntervalMs(response.RotationInterval)),
    ...optional('requestId', present(response.RequestId)),
  });
}
