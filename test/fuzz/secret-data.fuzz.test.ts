import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretCacheClient } from '../../src/cache/index.js';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { parseAccessKeyCredential } from '../../src/credentials/parse-access-key-credential.js';
import { readSecretDataRefreshHints } from '../../src/credentials/read-secret-data-refresh-hints.js';
import { SecretDataError, SecretDataErrorCode } from '../../src/credentials/secret-data-error.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { InMemorySecretSource } from '../support/in-memory-secret-source.js';
import { renderings } from '../support/secret-scanner.js';
import { VirtualClock } from '../support/virtual-clock.js';

// SecretData as KMS might hand it out after a bad manual edit or a broken rotation function: every field
// of every JSON type, extra fields, broken JSON, odd Unicode. The parser must either produce exactly the
// key it was given or throw a SecretDataError naming the field; never echo a value; and the cache must
// never replace a good key with such data.
const SEED = 0x5ec2_e7da;

// Marked values: long enough that a leak of any of them is unambiguous.
const marked = fc.stringMatching(/^[A-Za-z0-9+/]{10,30}$/).map((s) => `V${s}`);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  marked,
  marked.map((s) => ` ${s}`),
  marked.map((s) => `${s}\n`),
  fc.constantFrom('', null, true, false, 0, -1, 1.5, 2 ** 53),
  marked.map((s) => [s]),
  marked.map((s) => ({ value: s })),
  fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123+08:00', '2026-13-45T99:99:99Z', '1767225600'),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
);
const FIELDS = ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'GenerateTimestamp', 'ExpireTimestamp'] as const;

const secretObject = fc.record(
  {
    AccessKeyId: anyValue,
    AccessKeySecret: anyValue,
    SecurityToken: anyValue,
    GenerateTimestamp: anyValue,
    ExpireTimestamp: anyValue,
    Extra: anyValue,
  },
  { requiredKeys: [] },
);

const secretData = fc.oneof(
  secretObject.map((o) => JSON.stringify(o)),
  // Broken JSON: truncated, or with one character dropped or doubled.
  fc.tuple(secretObject.map((o) => JSON.stringify(o)), fc.nat(), fc.constantFrom('truncate', 'drop', 'double')).map(([text, at, how]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'truncate') return text.slice(0, i);
    if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + text[i] + text.slice(i);
  }),
  fc.json(),
  fc.string({ maxLength: 60 }),
);

function markedValuesOf(text: string): string[] {
  return text.match(/V[A-Za-z0-9+/]{10,30}/g) ?? [];
}

describe('parseAccessKeyCredential on arbitrary SecretData', () => {
  it('returns exactly the given key or throws a SecretDataError that names the field and echoes nothing', () => {
    fc.assert(
      fc.property(secretData, (data) => {
        let result: AccessKeyCredential | undefined;
        let caught: unknown;
        try {
          result = parseAccessKeyCredential({ secretName: 'fuzzed', secretData: data, versionId: 'v1' });
        } catch (error) {
          caught = error;
        }
        if (result) {
          const parsed = JSON.parse(data) as Record<string, unknown>;
          expect(result).toBeInstanceOf(AccessKeyCredential);
          expect(result.accessKeyId).toBe(parsed.AccessKeyId);
          expect(result.accessKeySecret).toBe(parsed.AccessKeySecret);
          expect(typeof result.accessKeyId === 'string' && /\s/.test(result.accessKeyId)).toBe(false);
          expect(typeof result.accessKeySecret === 'string' && /\s/.test(result.accessKeySecret)).toBe(false);
          const token = parsed.SecurityToken;
          expect(result.securityToken).toBe(token === '' || token === null ? undefined : token);
          for (const rendering of renderings(result)) {
            expect(rendering.text).not.toContain(result.accessKeySecret);
            if (result.securityToken) expect(rendering.text).not.toContain(result.securityToken);
          }
          return;
        }
        expect(caught).toBeInstanceOf(SecretDataError);
        const error = caught as SecretDataError;
        expect(Object.values(SecretDataErrorCode)).toContain(error.code);
        expect(error.secretName).toBe('fuzzed');
        if (error.code === SecretDataErrorCode.MissingField || error.code === SecretDataErrorCode.InvalidField) {
          expect(FIELDS).toContain(error.field);
          expect(error.message).toContain(error.field);
        }
        expect(error.cause).toBeUndefined();
        for (const value of markedValuesOf(data)) {
          for (const rendering of renderings(error)) expect(rendering.text, rendering.where).not.toContain(value);
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('readSecretDataRefreshHints never throws on the same inputs', () => {
    fc.assert(
      fc.property(secretData, (data) => {
        const hints = readSecretDataRefreshHints(data);
        for (const value of Object.values(hints)) expect(value === undefined || Number.isFinite(value)).toBe(true);
      }),
      { seed: SEED + 1, numRuns: 2000 },
    );
  });
});

describe('SecretCacheClient fed arbitrary SecretData by a rotation', () => {
  it('keeps serving the last good key when the new version is not an AccessKey, and takes it when it is', async () => {
    await fc.assert(
      fc.asyncProperty(secretData, async (data) => {
        const clock = new VirtualClock();
        const store = new SecretStore({ clock });
        store.setRamCredential('ram', { accessKeyId: 'LTAI-good', accessKeySecret: 'good-secret-value-0123', rotationIntervalMs: 86_400_000 });
        const cache = new SecretCacheClient({ source: new InMemorySecretSource(store), clock, random: () => 0 });
        try {
          const good = await cache.getCredential('ram');
          await clock.advance(10_000); // past the minimum interval, so the suspicion below may ask KMS
          store.rotate('ram', data);
          // A suspicion, not a rejection: the held key is not held back, so the last good key must stay served.
          const outcome = await cache.refreshNow('ram', { suspected: true });
          let expected: AccessKeyCredential | undefined;
          try {
            expected = parseAccessKeyCredential({ secretName: 'ram', secretData: data });
          } catch {
            expected = undefined;
          }
          if (expected === undefined) {
            expect(outcome).toMatchObject({ via: 'failed', changed: false });
            expect(outcome.error).toBeInstanceOf(SecretDataError);
            expect(cache.peekCredential('ram')).toBe(good);
            expect(cache.getStatus('ram')).toMatchObject({ state: 'stale', accessKeyId: 'LTAI-good' });
          } else {
            expect(outcome.via).toBe('fetched');
            expect(cache.peekCredential('ram')?.sameKeyAs(expected)).toBe(true);
          }
          for (const value of markedValuesOf(data)) {
            for (const rendering of renderings(cache)) expect(rendering.text).not.toContain(value);
          }
        } finally {
          await cache.close();
          expect(clock.pendingTimers).toBe(0);
        }
      }),
      { seed: SEED + 2, numRuns: 300 },
    );
  });
});
