import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { ManualCredentialProvider } from '../support/manual-credential-provider.js';

// Regression: ali-oss keeps the urllib result on errors it cannot read a body for (a bare 403 on
// getStream), and through `err.res.res.socket._httpMessage` that result reaches the raw request headers,
// STS token included. ProxyBucket's redaction must cut that path.
const TOKEN = 'CAIS-regression-token-Ab3Cd6Ef9Gh2Ij5';
const SECRET = 'regression-secret-Kl8Mn1Op4Qr7St0';

let oss: LocalOss;
let bucket: ProxyBucket;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: ['redaction'] });
  oss.keys.add({ accessKeyId: 'STS.redaction', accessKeySecret: SECRET, securityToken: 'the-token-oss-expects-000' });
  oss.putObject('redaction', 'object.txt', 'content');
  const provider = new ManualCredentialProvider(new AccessKeyCredential({ accessKeyId: 'STS.redaction', accessKeySecret: SECRET, securityToken: TOKEN }));
  bucket = new ProxyBucket({ secretName: 's', cacheClient: provider, ...oss.clientOptions('redaction') });
});
afterAll(async () => {
  await bucket.shutdown();
  await oss.close();
});

describe('errors of stream reads through ProxyBucket', () => {
  it('print no STS token, however deeply inspected, and keep status and response headers', async () => {
    const error = (await bucket.getStream('object.txt').catch((e: unknown) => e)) as Error & { status?: number; res?: { status?: number; res?: { statusCode?: number; headers?: Record<string, string> } } };
    expect(error.status).toBe(403);
    for (const options of [{ depth: Infinity }, { depth: Infinity, showHidden: true }]) {
      const text = inspect(error, options);
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(SECRET);
    }
    expect(error.res?.status).toBe(403);
    expect(error.res?.res).toMatchObject({ statusCode: 403 });
    expect(error.res?.res?.headers?.['x-oss-request-id']).toEqual(expect.any(String));
  });
});
