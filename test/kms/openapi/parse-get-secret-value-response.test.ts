import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KmsError } from '../../../src/kms/kms-error.js';
import { parseGetSecretValueResponse } from '../../../src/kms/openapi/parse-get-secret-value-response.js';

const SECRET = '{"AccessKeyId":"LTAI-x","AccessKeySecret":"very-secret-value"}';
const base = {
  RequestId: 'req-1',
  SecretName: 'oss-ram-ak',
  SecretType: 'RAMCredentials',
  SecretData: SECRET,
  SecretDataType: 'text',
  VersionId: 'v1',
  CreateTime: '2026-01-01T00:00:00Z',
  VersionStages: { VersionStage: ['ACSCurrent'] },
  LastRotationDate: '2026-01-01T00:00:00Z',
  NextRotationDate: '2026-01-08T00:00:00Z',
  AutomaticRotation: 'Enabled',
  RotationInterval: '604800s',
  ExtendedConfig: '{"SecretSubType":"RamUserAccessKey"}',
};

function parseError(body: unknown): KmsError {
  try {
    parseGetSecretValueResponse(body, 'openapi(test)');
  } catch (error) {
    expect(error).toBeInstanceOf(KmsError);
    return error as KmsError;
  }
  throw new Error('expected a parse error');
}

describe('parseGetSecretValueResponse', () => {
  it('normalizes the OpenAPI JSON shape', () => {
    const info = parseGetSecretValueResponse(base, 'openapi(test)');
    expect(info).toMatchObject({
      secretName: 'oss-ram-ak',
      versionStages: ['ACSCurrent'],
      createTimeMs: Date.UTC(2026, 0, 1),
      nextRotationDateMs: Date.UTC(2026, 0, 8),
      rotationIntervalMs: 604_800_000,
      extendedConfig: { SecretSubType: 'RamUserAccessKey' },
      requestId: 'req-1',
    });
    expect(info.secretData).toBe(SECRET);
  });

  it('turns empty fields into undefined and accepts a plain stage list', () => {
    const info = parseGetSecretValueResponse(
      { ...base, NextRotationDate: '', RotationInterval: '', ExtendedConfig: '', AutomaticRotation: '', VersionStages: ['ACSPrevious'] },
      'openapi(test)',
    );
    expect(info.nextRotationDateMs).toBeUndefined();
    expect(info.rotationIntervalMs).toBeUndefined();
    expect(info.extendedConfig).toBeUndefined();
    expect(info.automaticRotation).toBeUndefined();
    expect(info.versionStages).toEqual(['ACSPrevious']);
    expect(parseGetSecretValueResponse({ ...base, VersionStages: { VersionStage: 'ACSCurrent' } }, 'x').versionStages).toEqual(['ACSCurrent']);
    expect(parseGetSecretValueResponse({ ...base, VersionStages: undefined }, 'x').versionStages).toEqual([]);
  });

  it.each([
    ['SecretName', { SecretName: '' }],
    ['SecretData', { SecretData: 42 }],
    ['SecretType', { SecretType: 7 }],
    ['CreateTime', { CreateTime: 'yesterday' }],
    ['LastRotationDate', { LastRotationDate: 1767225600 }],
    ['NextRotationDate', { NextRotationDate: '2026-13-45T99:00:00Z' }],
    ['RotationInterval', { RotationInterval: '7 days' }],
    ['ExtendedConfig', { ExtendedConfig: '{not json' }],
    ['ExtendedConfig', { ExtendedConfig: '[1,2]' }],
    ['VersionStages', { VersionStages: { VersionStage: [1] } }],
  ])('names the malformed field %s, without echoing SecretData', (field, override) => {
    const error = parseError({ ...base, ...override });
    expect(error.code).toBe('Kms.InvalidResponse');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('very-secret-value');
  });

  it('rejects a body that is not an object', () => {
    expect(parseError([base]).message).toContain('body');
    expect(parseError(null).code).toBe('Kms.InvalidResponse');
  });

  it('converts any RotationInterval of whole seconds to ms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (seconds) => {
        const info = parseGetSecretValueResponse({ ...base, RotationInterval: `${seconds}s` }, 'x');
        return info.rotationIntervalMs === seconds * 1000;
      }),
    );
  });
});
