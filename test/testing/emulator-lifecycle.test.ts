import { describe, expect, it } from 'vitest';
import {
  createTestPki,
  LocalDkms,
  LocalKms,
  LocalKmsAgent,
  LocalOpenApi,
  LocalOss,
  LocalSts,
  SecretStore,
} from '../../src/testing/index.js';

// One lifecycle verb for every emulator: close() (idempotent), also as Symbol.asyncDispose for `await using`.
// LocalDkms and LocalOss keep stop() as a deprecated alias for one release.
describe('emulator lifecycle', () => {
  it('every emulator closes with close() and Symbol.asyncDispose, twice without error', async () => {
    const pki = createTestPki();
    const tls = { certPem: pki.leafChainPem, keyPem: pki.leafKeyPem };
    const emulators = [
      await LocalDkms.start(),
      await LocalOss.start(),
      await LocalOpenApi.start(),
      await LocalKms.start({ store: new SecretStore() }),
      await LocalSts.start({ tls, roleArns: [] }),
      await LocalKmsAgent.start({ store: new SecretStore() }),
    ];
    for (const emulator of emulators) {
      expect(typeof emulator.close, emulator.constructor.name).toBe('function');
      await emulator.close();
      await emulator.close();
      await emulator[Symbol.asyncDispose]();
    }
  });

  it('stop() on LocalDkms and LocalOss is the same as close() (deprecated alias)', async () => {
    const dkms = await LocalDkms.start();
    const oss = await LocalOss.start();
    await Promise.all([dkms.stop(), oss.stop()]);
    // Closed: a second close resolves at once, and the port no longer accepts connections.
    await Promise.all([dkms.close(), oss.close()]);
    await expect(fetch(`http://${oss.endpoint}/`)).rejects.toThrow();
  });
});

describe('emulator errors state the rule', () => {
  it('an invalid bucket name: says what a valid one is', async () => {
    const oss = await LocalOss.start();
    try {
      for (const name of ['b1', 'Upper-case', '-starts-with-hyphen', 'a'.repeat(64)]) {
        expect(() => oss.createBucket(name)).toThrow(
          expect.objectContaining({
            code: 'LocalOss.InvalidBucketName',
            message: `Invalid bucket name "${name}": a bucket name has 3 to 63 characters: lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
          }),
        );
      }
      oss.createBucket('b-1');
      expect(() => oss.createBucket('b-1')).toThrow(/Bucket "b-1" exists already: each bucket name can be created once/);
      expect(() => oss.listObjectKeys('missing')).toThrow(/No bucket "missing" \(buckets: "b-1"\); create it with `buckets` in LocalOss.start\(\) or createBucket\(\)/);
    } finally {
      await oss.close();
    }
  });

  it('an access key used wrongly: says how keys are registered', async () => {
    const oss = await LocalOss.start({ keys: [{ accessKeyId: 'AK1', accessKeySecret: 'S1' }] });
    try {
      expect(() => oss.keys.add({ accessKeyId: 'AK1', accessKeySecret: 'S2' })).toThrow(/AK1 is already registered: each AccessKeyId can be added once/);
      expect(() => oss.keys.disable('AK9')).toThrow('AccessKeyId AK9 is not registered: add() it first (registered: AK1)');
    } finally {
      await oss.close();
    }
  });

  it('a secret or version that does not exist: names what exists and how to create it', () => {
    const store = new SecretStore();
    store.setSecret('db', { secretData: 'x' });
    expect(() => store.rotate('missing', 'y')).toThrow('SecretStore: no secret named "missing" (secrets: "db"); create it first with setSecret() or setRamCredential()');
  });
});
