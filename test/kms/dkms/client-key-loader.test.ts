import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import {
  clientKeyFromPem,
  parseClientKeyContent,
  readClientKeyFile,
  readClientKeyPasswordFile,
} from '../../../src/kms/dkms/client-key-loader.js';
import { fixturePath, fixtureText, vectors } from './fixtures.js';

const PASSWORD = vectors.password;

/** The ConfigError code each former ClientKeyError reason became (one configuration error class). */
const CODE_OF_REASON: Record<string, string> = {
  FileNotFound: 'ConfigError.FileNotFound',
  MalformedJson: 'ConfigError.MalformedJson',
  MissingField: 'ConfigError.MissingKey',
  InvalidPkcs12: 'ConfigError.InvalidClientKey',
  UnsupportedKeyType: 'ConfigError.InvalidClientKey',
  InvalidPrivateKey: 'ConfigError.InvalidClientKey',
  WrongPassword: 'ConfigError.WrongPassword',
};

async function expectClientKeyError(promise: Promise<unknown> | (() => unknown), reason: string, mentions: string) {
  let error: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const e = error as ConfigError;
  expect(e.code).toBe(CODE_OF_REASON[reason]);
  expect(e.message).toContain(mentions);
  expect(e.message).not.toContain(PASSWORD);
  expect(inspect(e)).not.toContain(PASSWORD);
  return e;
}

describe('ClientKey loading', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dkms-client-key-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the legacy (RC2-40 / 3DES) vector ClientKey file with its trimmed password file', async () => {
    const password = await readClientKeyPasswordFile(fixturePath(vectors.passwordFile));
    expect(password).toBe(PASSWORD);
    const key = await readClientKeyFile(fixturePath(vectors.clientKeyFile), password);
    expect(key.keyId).toBe(vectors.keyId);
    const fromPem = clientKeyFromPem(vectors.keyId, fixtureText('test-private-key.pkcs8.pem'));
    expect(key.privateKey.equals(fromPem.privateKey)).toBe(true);
    expect(inspect(key)).not.toMatch(/PRIVATE KEY|MII/);
    expect(JSON.stringify(key)).not.toMatch(/PRIVATE KEY|MII/);
  });

  it('reports a wrong password without echoing it', async () => {
    const e = await expectClientKeyError(
      readClientKeyFile(fixturePath(vectors.clientKeyFile), 'not-the-password'),
      'WrongPassword',
      vectors.clientKeyFile,
    );
    expect(e.message).not.toContain('not-the-password');
  });

  it('reports a missing file and a missing password file by path', async () => {
    const missing = join(dir, 'nope.json');
    await expectClientKeyError(readClientKeyFile(missing, PASSWORD), 'FileNotFound', missing);
    await expectClientKeyError(readClientKeyPasswordFile(join(dir, 'nope.txt')), 'FileNotFound', 'nope.txt');
  });

  it('reports malformed JSON and missing fields, naming the file or "client key content"', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"KeyId": "KAAP.x", ');
    await expectClientKeyError(readClientKeyFile(file, PASSWORD), 'MalformedJson', file);
    await expectClientKeyError(() => parseClientKeyContent('[1,2]', PASSWORD), 'MalformedJson', 'client key content');
    await expectClientKeyError(() => parseClientKeyContent('{"KeyId":"KAAP.x"}', PASSWORD), 'MissingField', 'PrivateKeyData');
    await expectClientKeyError(
      () => parseClientKeyContent('{"PrivateKeyData":"MIIB"}', PASSWORD),
      'MissingField',
      'KeyId',
    );
  });

  it('reports PrivateKeyData that is not base64 or not PKCS#12', async () => {
    await expectClientKeyError(
      () => parseClientKeyContent('{"KeyId":"KAAP.x","PrivateKeyData":"not base64!"}', PASSWORD),
      'InvalidPkcs12',
      'client key content',
    );
    const notP12 = Buffer.from('hello world, this is not DER').toString('base64');
    await expectClientKeyError(
      () => parseClientKeyContent(JSON.stringify({ KeyId: 'KAAP.x', PrivateKeyData: notP12 }), PASSWORD),
      'InvalidPkcs12',
      'client key content',
    );
  });

  it('accepts KeyId + PEM (PKCS#1 and PKCS#8) and rejects non-RSA or non-key PEM', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(clientKeyFromPem('KAAP.pem', pkcs1).privateKey.asymmetricKeyType).toBe('rsa');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expectClientKeyError(() => clientKeyFromPem('KAAP.ec', ecPem, 'ec.pem'), 'UnsupportedKeyType', 'ec.pem');
    await expectClientKeyError(() => clientKeyFromPem('KAAP.x', 'garbage'), 'InvalidPrivateKey', 'client key content');
    await expectClientKeyError(() => clientKeyFromPem(' ', pkcs1), 'MissingField', 'KeyId');
  });
});
