import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRamUserAccessKeySecret } from '../../src/credentials/is-ram-user-access-key-secret.js';
import { readSecretDataRefreshHints } from '../../src/credentials/read-secret-data-refresh-hints.js';

describe('readSecretDataRefreshHints', () => {
  it.each([
    [{ RefreshInterval: 3600 }, 3_600_000],
    [{ RefreshInterval: '3600s' }, 3_600_000],
    [{ refreshInterval: '90s' }, 90_000],
    [{ refreshInterval: ' 90 ' }, 90_000],
    [{ RefreshInterval: 1.5 }, 1500],
    [{ RefreshInterval: 2_592_000 }, 2_592_000_000], // 30 days: beyond one timer period, still exact
  ])('reads %j as %d ms (Java number of seconds and Python/Go "Ns" string)', (data, expected) => {
    expect(readSecretDataRefreshHints(JSON.stringify(data)).refreshIntervalMs).toBe(expected);
  });

  it.each([
    [{ RefreshInterval: 0 }],
    [{ RefreshInterval: -5 }],
    [{ RefreshInterval: '1h' }],
    [{ RefreshInterval: 'soon' }],
    [{ RefreshInterval: '' }],
    [{ RefreshInterval: true }],
    [{ RefreshInterval: 1e300 }],
    [{ RefreshInterval: [60] }],
  ])('ignores the malformed hint %j', (data) => {
    expect(readSecretDataRefreshHints(JSON.stringify(data))).toEqual({});
  });

  it('reads ScheduleRotateTimestamp as epoch seconds', () => {
    const seconds = Date.UTC(2026, 5, 1) / 1000;
    expect(readSecretDataRefreshHints(JSON.stringify({ ScheduleRotateTimestamp: seconds })).scheduleRotateTimestampMs).toBe(seconds * 1000);
    expect(readSecretDataRefreshHints(JSON.stringify({ scheduleRotateTimestamp: String(seconds) })).scheduleRotateTimestampMs).toBe(
      seconds * 1000,
    );
  });

  it('never throws, whatever the SecretData (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ RefreshInterval: v }))), (data) => {
        const hints = readSecretDataRefreshHints(data);
        if (hints.refreshIntervalMs !== undefined) {
          expect(Number.isSafeInteger(hints.refreshIntervalMs)).toBe(true);
          expect(hints.refreshIntervalMs).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('isRamUserAccessKeySecret', () => {
  it.each([
    ['RAMCredentials', 'RamUserAccessKey', true],
    ['RamCredentials', 'RamUserAccessKey', true],
    ['ramcredentials', 'ramuseraccesskey', true],
    ['Generic', 'RamUserAccessKey', false],
    ['RAMCredentials', 'RamRoleAccessKey', false],
    ['RAMCredentials', undefined, false],
    [undefined, 'RamUserAccessKey', false],
  ])('type %s, sub-type %s -> %s', (secretType, subType, expected) => {
    expect(isRamUserAccessKeySecret({ secretType, extendedConfig: subType === undefined ? {} : { SecretSubType: subType } })).toBe(expected);
  });

  it('is false without ExtendedConfig', () => {
    expect(isRamUserAccessKeySecret({ secretType: 'RAMCredentials' })).toBe(false);
  });
});
