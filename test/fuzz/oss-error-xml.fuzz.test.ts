import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { credential, ManualCredentialProvider } from '../support/manual-credential-provider.js';
import { ScriptedHttpServer } from '../support/scripted-http-server.js';
import { leaksIn, type KnownSecret } from '../support/secret-scanner.js';

// An "OSS" that answers every request with a random XML-ish error document (well formed, broken,
// truncated, binary, with the caller's secret echoed inside). Through ProxyBucket over real ali-oss and
// real HTTP, every call must reject with an Error, never crash the process, never be retried endlessly, and
// never carry the AccessKeySecret or STS token in anything a caller could print.
const SEED = 0x0551_e4e0;
const STS = credential('STS.fuzz-key-id', 'fuzz-sts-token-CAIS-0123456789abcdef');
const SECRETS: KnownSecret[] = [
  { label: 'AccessKeySecret', value: STS.accessKeySecret },
  { label: 'SecurityToken', value: STS.securityToken! },
];

const xmlText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.constantFrom('InvalidAccessKeyId', 'SignatureDoesNotMatch', 'SecurityTokenExpired', 'InvalidSecurityToken', 'AccessDenied', 'NoSuchKey', ''),
  // A server that echoes the credential must not get it into the caller's logs.
  fc.constantFrom(STS.accessKeySecret, STS.securityToken!, `token=${STS.securityToken!}&x`, `secret ${STS.accessKeySecret} here`),
  fc.constantFrom('<![CDATA[ ]]>', '&amp;&lt;&#x41;&#0;', '&undefined;', ']]>', '<', '>', '"', "'"),
);

const element = (name: string) => xmlText.map((text) => `<${name}>${text}</${name}>`);

const xmlDocument = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof(element('Code'), element('Message'), element('RequestId'), element('HostId'), element('EC'), element('Condition'), element('StringToSign'), xmlText), {
      maxLength: 6,
    }),
    fc.constantFrom('Error', 'error', 'Error xmlns="x"', 'ListBucketResult', ''),
    fc.nat({ max: 200 }),
    fc.boolean(),
  )
  .map(([prolog, children, root, truncateAt, deep]) => {
    const open = root === '' ? '' : `<${root}>`;
    const close = root === '' ? '' : `</${root.split(' ')[0]}>`;
    let doc = `${prolog ? '<?xml version="1.0" encoding="UTF-8"?>\n' : ''}${open}${children.join('')}${close}`;
    if (deep) doc = `${'<a>'.repeat(200)}${doc}${'</a>'.repeat(200)}`;
    return truncateAt > 0 && truncateAt < doc.length ? doc.slice(0, truncateAt) : doc;
  });

const errorBody = fc.oneof(
  xmlDocument.map((doc) => Buffer.from(doc, 'utf8')),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.alloc(0)),
);

const errorStatus = fc.constantFrom(400, 403, 404, 409, 412, 429, 500, 501, 503);

type Call = (bucket: ProxyBucket) => Promise<unknown>;
const calls: Array<[string, Call]> = [
  ['put(Buffer)', (b) => b.put('fuzz.txt', Buffer.from('payload'))],
  ['get', (b) => b.get('fuzz.txt')],
  ['head', (b) => b.head('fuzz.txt')],
  ['list', (b) => b.list({ 'max-keys': 5 }, {})],
  ['getBucketInfo', (b) => b.getBucketInfo('fuzz-bucket')],
];

describe('OSS answering random XML-ish error bodies, through ProxyBucket', () => {
  let server: ScriptedHttpServer;
  let provider: ManualCredentialProvider;
  let bucket: ProxyBucket;

  beforeAll(async () => {
    server = await ScriptedHttpServer.start();
  });
  afterAll(async () => {
    await bucket?.shutdown();
    await server.stop();
  });
  beforeEach(async () => {
    await bucket?.shutdown();
    provider = new ManualCredentialProvider(STS);
    bucket = new ProxyBucket({
      secretName: 'fuzz-secret',
      cacheClient: provider,
      endpoint: `http://${server.hostPort}`,
      region: 'oss-cn-hangzhou',
      bucket: 'fuzz-bucket',
      secure: false,
      timeout: 5000,
    });
  });

  it('every call rejects with an Error, is tried at most twice, and no rendering shows a secret', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...calls), errorStatus, errorBody, fc.boolean(), async ([, call], status, body, asHeader) => {
          // HEAD has no body: OSS puts the document base64-encoded into x-oss-err.
          server.answer = ({ method }) => {
            const headers: Record<string, string> =
              method === 'HEAD' || asHeader
                ? { 'x-oss-err': body.toString('base64'), 'x-oss-request-id': 'FUZZ' }
                : { 'content-type': 'application/xml', 'x-oss-request-id': 'FUZZ' };
            return { status, headers, body: method === 'HEAD' ? undefined : body };
          };
          const before = server.requestCount;
          const refreshesBefore = provider.refreshCalls.length;
          const error = await call(bucket).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(Error);
          expect(typeof (error as Error).message).toBe('string');
          // One attempt, plus at most one retry after a refresh (which never finds a new key here).
          expect(server.requestCount - before).toBeLessThanOrEqual(2);
          expect(provider.refreshCalls.length - refreshesBefore).toBeLessThanOrEqual(1);
          expect(leaksIn('ali-oss error', error, SECRETS)).toEqual([]);
        }),
        { seed: SEED, numRuns: 300 },
      );
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps code, status and request id of a well-formed error (what the AKExpireHandler judges)', async () => {
    server.answer = () => ({
      status: 403,
      headers: { 'content-type': 'application/xml', 'x-oss-request-id': 'REQ-1' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The OSS Access Key Id you provided does not exist in our records.</Message><RequestId>REQ-1</RequestId><HostId>h</HostId><OSSAccessKeyId>${STS.accessKeyId}</OSSAccessKeyId></Error>`,
    });
    const error = await bucket.put('x.txt', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', status: 403, requestId: 'REQ-1' });
    expect(provider.refreshCalls).toEqual([{ staleAccessKeyId: STS.accessKeyId, suspected: false }]);
  });

  it('redacts a secret the server echoes back, also in the raw XML of an unparsable body', async () => {
    server.answer = () => ({
      status: 400,
      headers: { 'content-type': 'application/xml' },
      body: `<Error><Code>Bad</Code><Message>${STS.accessKeySecret} <unclosed`,
    });
    const error = (await bucket.put('x.txt', Buffer.from('x')).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(leaksIn('unparsable', error, SECRETS)).toEqual([]);
    expect(error.message).toContain('[redacted]');
  });
});
