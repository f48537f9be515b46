import { describe, expect, it } from 'vitest';
import { ACS_CURRENT, ACS_PREVIOUS, SecretStore, formatKmsDate } from '../../../src/testing/secret-store.js';
import { VirtualClock } from '../../support/virtual-clock.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

describe('SecretStore', () => {
  it('stores a generic secret as one ACSCurrent version with defaults', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const store = new SecretStore({ clock });
    const record = store.setSecret('plain', { secretData: 'value' });
    expect(record).toMatchObject({
      secretName: 'plain',
      secretType: 'Generic',
      secretDataType: 'text',
      secretData: 'value',
      versionStages: [ACS_CURRENT],
      createTimeMs: Date.UTC(2026, 0, 1),
    });
    expect(record.automaticRotation).toBeUndefined();
    expect(record.nextRotationDateMs).toBeUndefined();
    expect(Object.isFrozen(record)).toBe(true);
    expect(store.getVersion('plain')).toEqual(record);
    expect(store.getVersion('missing')).toBeUndefined();
  });

  it('stores a RAM credential in the managed format with rotation fields', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 8));
    const store = new SecretStore({ clock });
    const record = store.setRamCredential('ram', {
      accessKeyId: 'LTAI-1',
      accessKeySecret: 'secret-1',
      rotationIntervalMs: WEEK_MS,
      userName: 'oss-user',
    });
    expect(record.secretType).toBe('RAMCredentials');
    expect(JSON.parse(record.secretData)).toEqual({
      AccessKeyId: 'LTAI-1',
      AccessKeySecret: 'secret-1',
      GenerateTimestamp: '2026-01-01T08:00:00Z',
    });
    expect(JSON.parse(record.extendedConfig!)).toEqual({ SecretSubType: 'RamUserAccessKey', UserName: 'oss-user' });
    expect(record.automaticRotation).toBe('Enabled');
    expect(record.rotationIntervalMs).toBe(WEEK_MS);
    expect(record.nextRotationDateMs).toBe(Date.UTC(2026, 0, 1, 8) + WEEK_MS);

    const noRotation = store.setRamCredential('ram2', { accessKeyId: 'LTAI-2', accessKeySecret: 's' });
    expect(noRotation.automaticRotation).toBe('Disabled');
    expect(noRotation.nextRotationDateMs).toBeUndefined();
    expect(noRotation.rotationIntervalMs).toBeUndefined();
  });

  it('rotates: new current version, old one becomes ACSPrevious, dates move with the clock', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const store = new SecretStore({ clock });
    const first = store.setRamCredential('ram', { accessKeyId: 'AK1', accessKeySecret: 'S1', rotationIntervalMs: WEEK_MS });
    await clock.advance(WEEK_MS);
    const second = store.rotate('ram', { accessKeyId: 'AK2', accessKeySecret: 'S2' });
    expect(second.versionId).not.toBe(first.versionId);
    expect(JSON.parse(second.secretData)).toMatchObject({ AccessKeyId: 'AK2', GenerateTimestamp: formatKmsDate(clock.now()) });
    expect(second.lastRotationDateMs).toBe(clock.now());
    expect(second.nextRotationDateMs).toBe(clock.now() + WEEK_MS);
    expect(store.getVersion('ram', { versionStage: ACS_PREVIOUS })?.versionId).toBe(first.versionId);
    expect(store.getVersion('ram', { versionId: first.versionId })?.versionStages).toEqual([ACS_PREVIOUS]);

    const third = store.rotate('ram', 'raw-data');
    expect(third.secretData).toBe('raw-data');
    expect(store.getVersion('ram', { versionStage: ACS_PREVIOUS })?.versionId).toBe(second.versionId);
    expect(store.getVersion('ram', { versionId: first.versionId })?.versionStages).toEqual([]);
    expect(store.listVersions('ram').map((v) => v.versionId)).toEqual([first.versionId, second.versionId, third.versionId]);
    expect(() => store.rotate('missing', 'x')).toThrow(/missing/);
  });

  it('selects by stage and id and rejects a mismatched pair', () => {
    const store = new SecretStore();
    const v1 = store.setSecret('s', { secretData: 'one' });
    const v2 = store.rotate('s', 'two');
    expect(store.getVersion('s', { versionId: v1.versionId })?.secretData).toBe('one');
    expect(store.getVersion('s', { versionStage: ACS_CURRENT, versionId: v2.versionId })?.secretData).toBe('two');
    expect(store.getVersion('s', { versionStage: ACS_CURRENT, versionId: v1.versionId })).toBeUndefined();
    expect(store.getVersion('s', { versionStage: 'Custom' })).toBeUndefined();
  });

  it('keeps raw ExtendedConfig text, changes rotation settings, deletes', () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const store = new SecretStore({ clock });
    store.setSecret('s', { secretData: 'x', extendedConfig: '{not json' });
    expect(store.getVersion('s')?.extendedConfig).toBe('{not json');
    store.setRotation('s', { enabled: true, rotationIntervalMs: 3_600_000, nextRotationDateMs: Date.UTC(2026, 0, 2) });
    expect(store.getVersion('s')).toMatchObject({ automaticRotation: 'Enabled', nextRotationDateMs: Date.UTC(2026, 0, 2) });
    store.setRotation('s', { enabled: false });
    expect(store.getVersion('s')?.nextRotationDateMs).toBeUndefined();
    expect(store.getVersion('s')?.automaticRotation).toBe('Disabled');
    expect(store.names()).toEqual(['s']);
    expect(store.delete('s')).toBe(true);
    expect(store.has('s')).toBe(false);
    expect(store.delete('s')).toBe(false);
  });

  it('formats dates like KMS', () => {
    expect(formatKmsDate(Date.UTC(2020, 1, 6, 7, 32, 54, 123))).toBe('2020-02-06T07:32:54Z');
  });
});
