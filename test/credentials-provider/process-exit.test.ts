import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOss } from '../../src/testing/oss/local-oss.js';
import { describeChild, runChildScript } from '../support/run-child-script.js';

// "A script never exits with its call pending, and ends by itself afterwards", over a credentialsProvider: a
// plain `node` script importing the BUILT package (`npm run build` first) awaits one put through a ProxyBucket
// whose provider answers late (on an unref'd timer) or never.

const SCRIPT = fileURLToPath(new URL('../fixtures/provider-process-exit/put-once.mjs', import.meta.url));
const BUCKET = 'provider-exit';
const KEY = { accessKeyId: 'STS.exit', accessKeySecret: 'sts-exit-secret-Hq2Wm8Zt4Lp6', securityToken: 'CAIS-exit-token-Zt4Lp6Hq2Wm8' };
let oss: LocalOss;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET], keys: [KEY] });
});
afterAll(() => oss.close());

const run = (mode: 'answer' | 'hang', objectName: string) =>
  runChildScript(SCRIPT, [mode, oss.endpoint, BUCKET, objectName, KEY.accessKeyId, KEY.accessKeySecret, KEY.securityToken], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    killAfterMs: 15_000,
  });

describe('a script over a credentialsProvider', () => {
  it('waits for a provider that answers late, stores the object, then exits 0 by itself', async () => {
    const outcome = await run('answer', 'late.txt');
    expect(outcome.exitCode, describeChild(outcome)).toBe(0);
    expect(oss.getObject(BUCKET, 'late.txt')?.body.toString()).toBe('stored by late.txt');
  }, 20_000);

  it('with a provider that never answers: exits 1 after fetch_timeout with Kms.FetchTimeout on stderr, no secret', async () => {
    const outcome = await run('hang', 'never.txt');
    expect(outcome.exitCode, describeChild(outcome)).toBe(1);
    expect(outcome.stderr).toContain('Kms.FetchTimeout');
    expect(outcome.stderr).not.toContain(KEY.accessKeySecret);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(2000);
    expect(outcome.elapsedMs).toBeLessThan(2000 + 8000);
    expect(oss.getObject(BUCKET, 'never.txt')).toBeUndefined();
  }, 20_000);
});
