import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dkmsMessages, type DkmsGetSecretValueResponse } from '../../../src/kms/dkms/dkms-messages.js';
import {
  parseExtendedConfig,
  parseKmsDateMs,
  parseRotationIntervalMs,
  toSecretInfo,
} from '../../../src/kms/dkms/secret-value-normalization.js';
import { vectors } from './fixtures.js';

const vectorResponse = () => dkmsMessages.decodeGetSecretValueResponse(Buffer.from(vectors.getSecretValueResponse.hex, 'hex'));

describe('toSecretInfo', () => {
  it('normalizes the vector response', () => {
    const info = toSecretInfo(vectorResponse(), 'fallback');
    expect(info.toJSON()).toMatchObject({
      secretName: 'test/ram-secret',
      secretType: 'RAMCredentials',
      secretDataType: 'text',
      versionStages: ['ACSCurrent'],
      versionId: '00000000000000000000000000000002',
      createTimeMs: Date.UTC(2020, 1, 6, 7),
      lastRotationDateMs: Date.UTC(2020, 1, 6, 7),
      nextRotationDateMs: Date.UTC(2020, 1, 13, 7),
      extendedConfig: { SecretSubType: 'RamUserAccessKey', UserName: 'ram-user' },
      automaticRotation: 'Enabled',
      rotationIntervalMs: 604_800_000,
      requestId: '11111111-2222-3333-4444-555555555555',
    });
    expect(JSON.parse(info.secretData)).toMatchObject({ AccessKeyId: 'LTAI5tTESTTESTTESTTEST' });
    expect(JSON.stringify(info)).not.toContain('testSecretTestSecretTestSecret0');
  });

  it('turns empty strings into undefined and survives bad ExtendedConfig', () => {
    const response: DkmsGetSecretValueResponse = {
      ...vectorResponse(),
      SecretName: '',
      NextRotationDate: '',
      RotationInterval: '',
      AutomaticRotation: '',
      ExtendedConfig: '{"SecretSubType":',
      VersionId: '',
    };
    const info = toSecretInfo(response, 'asked-name');
    expect(info.secretName).toBe('asked-name');
    for (const key of ['nextRotationDateMs', 'rotationIntervalMs', 'automaticRotation', 'extendedConfig', 'versionId'] as const) {
      expect(info[key]).toBeUndefined();
    }
  });
});

describe('field parsers', () => {
  it('parses KMS dates and rejects other shapes', () => {
    expect(parseKmsDateMs('2020-02-13T07:00:00Z')).toBe(Date.UTC(2020, 1, 13, 7));
    for (const bad of ['', ' ', '2020-02-13', '2020-02-13T07:00:00+08:00', 'Thu, 06 Feb 2020 07:32:54 GMT', '2020-13-45T99:00:00Z']) {
      expect(parseKmsDateMs(bad)).toBeUndefined();
    }
  });

  it('round-trips any UTC second through the KMS date format', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), (seconds) => {
        const text = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
        expect(parseKmsDateMs(text)).toBe(seconds * 1000);
      }),
    );
  });

  it('parses rotation intervals in seconds', () => {
    expect(parseRotationIntervalMs('604800s')).toBe(604_800_000);
    expect(parseRotationIntervalMs('21600')).toBe(21_600_000);
    expect(parseRotationIntervalMs('1.5s')).toBe(1500);
    for (const bad of ['', 's', '-5s', '7d', 'abc']) expect(parseRotationIntervalMs(bad)).toBeUndefined();
    fc.assert(fc.property(fc.nat({ max: 10 ** 9 }), (s) => parseRotationIntervalMs(`${s}s`) === s * 1000));
  });

  it('parses only JSON objects as ExtendedConfig', () => {
    expect(parseExtendedConfig('{"a":1}')).toEqual({ a: 1 });
    for (const bad of ['', '[1]', '"x"', 'null', '{bad']) expect(parseExtendedConfig(bad)).toBeUndefined();
  });
});
