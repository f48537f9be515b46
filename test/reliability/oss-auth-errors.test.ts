import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OssAKExpireHandler } from '../../src/oss/oss-ak-expire-handler.js';
import { leaksIn, type KnownSecret } from '../support/secret-scanner.js';
import { BUCKET, rejectionOf, SECRET_NAME, secretOf, Stack, trackUnhandledRejections } from './stack.js';

// Each authentication error OSS answers, through SecretCacheClient + ProxyBucket + LocalDkms + LocalOss:
// what the caller sees, that the cache keeps serving its key (and calls KMS only when the handler says
// the key was rejected), that nothing secret is in the error, and how the stack recovers.

const tokenOf = (id: string) => `CAIS-token-of-${id}-Pq9rS8tU7vW6xY5z`;

function stsSecretData(id: string): string {
  return JSON.stringify({ AccessKeyId: id, AccessKeySecret: secretOf(id), SecurityToken: tokenOf(id) });
}

interface AuthCase {
  name: string;
  code: string;
  /** Whether the default OssAKExpireHandler counts it as "key rejected" (and so asks the cache). */
  judgedByDefault: boolean;
  /** STS-style secret (SecretData with a SecurityToken) instead of a long-term RAM AccessKey. */
  sts: boolean;
  /** Makes OSS reject the key the cache holds (`A`), in the way this case is about. */
  breakKey(stack: Stack): void;
  /** KMS now holds a working key `B`. */
  newKeyInKms(stack: Stack): void;
}

const CASES: AuthCase[] = [
  {
    name: 'InvalidAccessKeyId (key deleted)',
    code: 'InvalidAccessKeyId',
    judgedByDefault: true,
    sts: false,
    breakKey: (s) => s.oss.keys.revoke('A'),
    newKeyInKms: (s) => s.rotateTo('B'),
  },
  {
    name: 'InvalidAccessKeyId (key disabled)',
    code: 'InvalidAccessKeyId',
    judgedByDefault: true,
    sts: false,
    breakKey: (s) => s.oss.keys.disable('A'),
    newKeyInKms: (s) => s.rotateTo('B'),
  },
  {
    name: 'SignatureDoesNotMatch (OSS knows another secret for the id)',
    code: 'SignatureDoesNotMatch',
    judgedByDefault: false,
    sts: false,
    breakKey: (s) => {
      s.oss.keys.revoke('A');
      s.oss.keys.add({ accessKeyId: 'A', accessKeySecret: 'a-different-secret-value-0000' });
    },
    newKeyInKms: (s) => s.rotateTo('B'),
  },
  {
    name: 'SecurityTokenExpired',
    code: 'SecurityTokenExpired',
    judgedByDefault: true,
    sts: true,
    breakKey: (s) => {
      s.oss.keys.revoke('A');
      s.oss.keys.add({ accessKeyId: 'A', accessKeySecret: secretOf('A'), securityToken: tokenOf('A'), expiresAtMs: Date.now() - 1000 });
    },
    newKeyInKms: (s) => {
      s.dkms.rotate(SECRET_NAME, stsSecretData('B'));
      s.oss.keys.add({ accessKeyId: 'B', accessKeySecret: secretOf('B'), securityToken: tokenOf('B') });
    },
  },
  {
    name: 'InvalidSecurityToken',
    code: 'InvalidSecurityToken',
    judgedByDefault: true,
    sts: true,
    breakKey: (s) => {
      s.oss.keys.revoke('A');
      s.oss.keys.add({ accessKeyId: 'A', accessKeySecret: secretOf('A'), securityToken: 'another-token-for-A-000000' });
    },
    newKeyInKms: (s) => {
      s.dkms.rotate(SECRET_NAME, stsSecretData('B'));
      s.oss.keys.add({ accessKeyId: 'B', accessKeySecret: secretOf('B'), securityToken: tokenOf('B') });
    },
  },
];

const SECRETS: KnownSecret[] = [
  { label: 'AccessKeySecret A', value: secretOf('A') },
  { label: 'SecurityToken A', value: tokenOf('A') },
  { label: 'AccessKeySecret B', value: secretOf('B') },
  { label: 'SecurityToken B', value: tokenOf('B') },
];

const unhandled = trackUnhandledRejections();
let stack: Stack;

afterAll(() => {
  unhandled.uninstall();
  expect(unhandled.reasons).toEqual([]);
});
afterEach(async () => {
  await stack.stop();
  expect(unhandled.reasons).toEqual([]);
});

async function startStack(authCase: AuthCase, handlerCodes?: string[]): Promise<void> {
  stack = await Stack.start({
    initialKey: 'A',
    ...(handlerCodes ? { akExpireHandler: new OssAKExpireHandler(handlerCodes) } : {}),
  });
  if (authCase.sts) {
    stack.dkms.setSecret(SECRET_NAME, { secretType: 'RAMCredentials', secretData: stsSecretData('A') });
    stack.oss.keys.revoke('A');
    stack.oss.keys.add({ accessKeyId: 'A', accessKeySecret: secretOf('A'), securityToken: tokenOf('A') });
  }
  await stack.bucket.put('warm.txt', Buffer.from('warm'));
  expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'A', status: 200 });
}

describe.each(CASES)('OSS answers $name', (authCase) => {

  it('default handler: the caller sees the OSS error; the cache keeps its key; KMS is asked only for a judged error', async () => {
    await startStack(authCase);
    authCase.breakKey(stack);
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    const error = await rejectionOf(stack.bucket.put('x.txt', Buffer.from('x')));
    expect(error).toMatchObject({ code: authCase.code, status: 403 });
    expect(leaksIn(authCase.name, error, SECRETS)).toEqual([]);
    // Judged errors make one forced refresh (which finds the same key: no blind retry); others none.
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBe(authCase.judgedByDefault ? 1 : 0);
    expect(stack.oss.requests.entries().filter((r) => r.key === 'x.txt').map((r) => r.errorCode)).toEqual([authCase.code]);
    expect(stack.oss.getObject(BUCKET, 'x.txt')).toBeUndefined();
    expect(stack.cache.peekCredential(SECRET_NAME)?.accessKeyId).toBe('A');

    // Recovery: KMS gets a working key; the next scheduled refresh loads it and calls work again.
    authCase.newKeyInKms(stack);
    const refreshed = await stack.runScheduledFetch('refresh');
    expect(refreshed).toMatchObject({ accessKeyId: 'B', changed: true });
    await stack.bucket.put('x.txt', Buffer.from('x'));
    expect(stack.oss.requests.last()).toMatchObject({ accessKeyId: 'B', status: 200 });
    expect(stack.oss.getObject(BUCKET, 'x.txt')?.body.toString()).toBe('x');
  });

  it('a handler that judges this code: one KMS call, then a transparent retry with the new key', async () => {
    await startStack(authCase, ['InvalidAccessKeyId', authCase.code]);
    authCase.breakKey(stack);
    authCase.newKeyInKms(stack);
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    const result = await stack.bucket.put('y.txt', Buffer.from('why'));
    expect(result.res.status).toBe(200);
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBe(1);
    const attempts = stack.oss.requests.entries().filter((r) => r.key === 'y.txt');
    expect(attempts.map((r) => [r.accessKeyId, r.errorCode ?? r.status])).toEqual([
      ['A', authCase.code],
      ['B', 200],
    ]);
    expect(stack.oss.getObject(BUCKET, 'y.txt')?.body.toString()).toBe('why');
  });

  it('many concurrent rejected calls share one KMS call and all succeed', async () => {
    await startStack(authCase, ['InvalidAccessKeyId', authCase.code]);
    authCase.breakKey(stack);
    authCase.newKeyInKms(stack);
    const kmsBefore = stack.dkms.getSecretValueCount(SECRET_NAME);
    await Promise.all(Array.from({ length: 20 }, (_, i) => stack.bucket.put(`c${i}.txt`, Buffer.from(`content ${i}`))));
    expect(stack.dkms.getSecretValueCount(SECRET_NAME) - kmsBefore).toBe(1);
    for (let i = 0; i < 20; i++) expect(stack.oss.getObject(BUCKET, `c${i}.txt`)?.body.toString()).toBe(`content ${i}`);
  });
});
