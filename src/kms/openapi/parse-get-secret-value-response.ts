import { KmsError, KmsErrorCode } from '../kms-error.js';
import { SecretInfo } from '../secret-info.js';

/**
 * Normalizes a KMS OpenAPI `GetSecretValue` JSON body into the same {@link SecretInfo} the DKMS path
 * produces: `VersionStages` `{ VersionStage: [...] }` becomes a list, empty strings become `undefined`,
 * dates become epoch ms, `RotationInterval` (`"604800s"`) becomes ms and `ExtendedConfig` is parsed.
 *
 * @param body - the parsed JSON response
 * @param source - description of the source, for errors
 * @throws KmsError `Kms.InvalidResponse` (not retryable) naming the field that is missing or malformed; the
 *   message never contains `SecretData`
 */
export function parseGetSecretValueResponse(body: unknown, source: string): SecretInfo {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid(source, 'the body', 'is not a JSON object');
  const fields = body as Record<string, unknown>;
  const requestId = optionalString(fields, 'RequestId', source);
  const fail = (field: string, problem: string) => invalid(source, field, problem, requestId);

  const secretName = optionalString(fields, 'SecretName', source);
  if (secretName === undefined) throw fail('SecretName', 'is missing');
  const secretData = fields['SecretData'];
  if (typeof secretData !== 'string') throw fail('SecretData', 'is missing or not a string');

  return new SecretInfo({
    secretName,
    secretData,
    secretType: optionalString(fields, 'SecretType', source),
    secretDataType: optionalString(fields, 'SecretDataType', source),
    versionId: optionalString(fields, 'VersionId', source),
    versionStages: versionStages(fields['VersionStages'], fail),
    createTimeMs: optionalDate(fields, 'CreateTime', fail),
    lastRotationDateMs: optionalDate(fields, 'LastRotationDate', fail),
    nextRotationDateMs: optionalDate(fields, 'NextRotationDate', fail),
    extendedConfig: extendedConfig(optionalString(fields, 'ExtendedConfig', source), fail),
    automaticRotation: optionalString(fields, 'AutomaticRotation', source),
    rotationIntervalMs: rotationIntervalMs(optionalString(fields, 'RotationInterval', source), fail),
    requestId,
  });
}

type Fail = (field: string, problem: string) => KmsError;

function invalid(source: string, field: string, problem: string, requestId?: string): KmsError {
  return new KmsError(`${source}: GetSecretValue response field ${field} ${problem}`, {
    code: KmsErrorCode.InvalidResponse,
    retryable: false,
    source,
    ...(requestId === undefined ? {} : { requestId }),
  });
}

function optionalString(fields: Record<string, unknown>, name: string, source: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(source, name, `is a ${typeof value}, not a string`);
  return value;
}

function versionStages(value: unknown, fail: Fail): string[] {
  if (value === undefined || value === null || value === '') return [];
  // The OpenAPI wraps the list: {"VersionStage": ["ACSCurrent"]}; accept a plain list too.
  const list = Array.isArray(value) ? value : typeof value === 'object' ? (value as { VersionStage?: unknown }).VersionStage : value;
  if (list === undefined || list === null) return [];
  const items = typeof list === 'string' ? [list] : list;
  if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
    throw fail('VersionStages', 'is not a list of version stages');
  }
  return items.filter((item) => item !== '');
}

function optionalDate(fields: Record<string, unknown>, name: string, fail: Fail): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw fail(name, 'is not a date like 2026-01-01T00:00:00Z');
  return ms;
}

function rotationIntervalMs(value: string | undefined, fail: Fail): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)s?$/.exec(value.trim());
  if (!match) throw fail('RotationInterval', 'is not a number of seconds like 604800s');
  const ms = Number(match[1]) * 1000;
  if (!Number.isSafeInteger(ms)) throw fail('RotationInterval', 'is out of range');
  return ms;
}

function extendedConfig(value: string | undefined, fail: Fail): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw fail('ExtendedConfig', 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('ExtendedConfig', 'is not a JSON object');
  return parsed as Record<string, unknown>;
}
