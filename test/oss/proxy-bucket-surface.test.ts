import OSS from 'ali-oss';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProxyBucket } from '../../src/oss/proxy-bucket.js';
import { LocalOss } from '../../src/testing/oss/index.js';
import { credential, ManualCredentialProvider } from '../support/manual-credential-provider.js';

// ProxyBucket has every public function of the installed ali-oss client, and each behaves as on the raw
// client; the plumbing methods (request, requestError, parseXML, checkBrowserAndVersion) are checked for
// real behaviour too, `request` over real HTTP against LocalOss.
const BUCKET = 'proxy-surface';
const K1 = credential('LTAI-SURFACE-1');
const K2 = credential('LTAI-SURFACE-2');

let oss: LocalOss;
let provider: ManualCredentialProvider;
let bucket: ProxyBucket;

beforeAll(async () => {
  oss = await LocalOss.start({ buckets: [BUCKET] });
});
afterAll(async () => {
  await oss.close();
});
beforeEach(async () => {
  for (const key of oss.keys.list()) oss.keys.revoke(key.accessKeyId);
  oss.keys.add({ accessKeyId: K1.accessKeyId, accessKeySecret: K1.accessKeySecret });
  oss.keys.add({ accessKeyId: K2.accessKeyId, accessKeySecret: K2.accessKeySecret });
  provider = new ManualCredentialProvider(K1);
  bucket = new ProxyBucket({ secretName: 'surface', cacheClient: provider, ...oss.clientOptions(BUCKET) });
  await bucket.ready();
  oss.requests.clear();
});
afterEach(async () => {
  await bucket.shutdown();
});

/** Every function name on the ali-oss client's prototype chain, minus the constructor and `_internal` helpers. */
function aliOssFunctionNames(): string[] {
  const names = new Set<string>();
  for (let proto: object | null = OSS.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (name === 'constructor' || name.startsWith('_') || typeof descriptor?.value !== 'function') continue;
      names.add(name);
    }
  }
  return [...names].sort();
}

type Outcome = { kind: 'returned' | 'resolved' } | { kind: 'threw' | 'rejected'; name: unknown; code: unknown; message: unknown };

/** How a call ended: returned/threw synchronously, or resolved/rejected; errors by name, code and message. */
async function outcomeOf(call: () => unknown): Promise<Outcome> {
  const describe = (kind: 'threw' | 'rejected', error: unknown): Outcome => {
    const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
    return { kind, name, code, message };
  };
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return describe('threw', error);
  }
  if (typeof (result as { then?: unknown } | undefined)?.then !== 'function') return { kind: 'returned' };
  try {
    await result;
    return { kind: 'resolved' };
  } catch (error) {
    return describe('rejected', error);
  }
}

describe('the ali-oss surface', () => {
  const names = aliOssFunctionNames();

  it('enumerates the installed client (sanity: the plumbing and a few well-known methods are there)', () => {
    expect(names.length).toBeGreaterThan(100);
    expect(names).toEqual(expect.arrayContaining(['put', 'multipartUploadCopy', 'request', 'requestError', 'parseXML', 'checkBrowserAndVersion']));
  });

  it.each(names)('ProxyBucket has %s', (name) => {
    expect(typeof (bucket as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  // Called without arguments, each method fails (or succeeds) exactly as on a raw client with the same key:
  // same sync/async shape, same error. A missing or mis-dispatched method would throw a TypeError of ours.
  it.each(names)('%s() behaves as on the raw ali-oss client', async (name) => {
    const raw = new OSS({ ...oss.clientOptions(BUCKET), accessKeyId: K1.accessKeyId, accessKeySecret: K1.accessKeySecret });
    const expected = await outcomeOf(() => (raw as unknown as Record<string, () => unknown>)[name]!());
    const actual = await outcomeOf(() => (bucket as unknown as Record<string, () => unknown>)[name]!());
    expect(actual).toEqual(expected);
  });
});

describe('plumbing methods', () => {
  it('parseXML parses OSS XML like ali-oss (root dropped, single children not arrays), from a string or a Buffer', async () => {
    const xml = '<ListResult><Name>b</Name><Item><Key>a</Key></Item><Item><Key>c</Key></Item></ListResult>';
    const expected = { Name: 'b', Item: [{ Key: 'a' }, { Key: 'c' }] };
    await expect(bucket.parseXML(xml)).resolves.toEqual(expected);
    await expect(bucket.parseXML(Buffer.from(xml))).resolves.toEqual(expected);
    await expect(bucket.parseXML('<unclosed')).rejects.toThrow();
  });

  it('requestError builds the ali-oss error from a response shape', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code>' +
      '<Message>The OSS Access Key Id you provided does not exist in our records.</Message>' +
      '<RequestId>REQ-1</RequestId><HostId>h.example</HostId><EC>0002-00000002</EC></Error>';
    const error = (await bucket.requestError({ status: 403, headers: {}, data: Buffer.from(body) })) as Record<string, unknown>;
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'InvalidAccessKeyIdError',
      code: 'InvalidAccessKeyId',
      status: 403,
      requestId: 'REQ-1',
      hostId: 'h.example',
      ecCode: '0002-00000002',
      message: 'The OSS Access Key Id you provided does not exist in our records.',
    });
    const empty = (await bucket.requestError({ status: 404, headers: {}, data: Buffer.alloc(0) })) as Record<string, unknown>;
    expect(empty).toMatchObject({ name: 'NoSuchKeyError', code: 'NoSuchKey', status: 404 });
  });

  it('checkBrowserAndVersion is the synchronous browser check (false under Node)', () => {
    expect(bucket.checkBrowserAndVersion('Internet Explorer', '10')).toBe(false);
  });

  it('request sends a raw request signed with the current managed key', async () => {
    const put = await bucket.request({
      method: 'PUT',
      bucket: BUCKET,
      object: 'raw.txt',
      content: Buffer.from('raw body'),
      successStatuses: [200],
    });
    expect(put.status).toBe(200);
    expect(oss.getObject(BUCKET, 'raw.txt')?.body.toString()).toBe('raw body');
    const acl = await bucket.request({
      method: 'GET',
      bucket: BUCKET,
      object: 'raw.txt',
      subres: 'acl',
      successStatuses: [200],
      xmlResponse: true,
    });
    expect(acl.data.AccessControlList.Grant).toBe('default');
    expect(oss.requests.entries().map((r) => [r.method, r.accessKeyId, r.status])).toEqual([
      ['PUT', K1.accessKeyId, 200],
      ['GET', K1.accessKeyId, 200],
    ]);
  });

  it('request is refreshed and retried once after a revoke when its body is a Buffer', async () => {
    provider.nextFetched = K2;
    oss.keys.revoke(K1.accessKeyId);
    await bucket.request({ method: 'PUT', bucket: BUCKET, object: 'raw-retry.txt', content: 'again', successStatuses: [200] });
    expect(oss.getObject(BUCKET, 'raw-retry.txt')?.body.toString()).toBe('again');
    expect(oss.requests.entries().map((r) => [r.accessKeyId, r.status])).toEqual([
      [K1.accessKeyId, 403],
      [K2.accessKeyId, 200],
    ]);
  });

  it('request with a stream body is not replayed after a revoke: it rejects with retryWithFreshBody', async () => {
    provider.nextFetched = K2;
    oss.keys.revoke(K1.accessKeyId);
    const body = Buffer.from('streamed body');
    const error = await bucket
      .request({
        method: 'PUT',
        bucket: BUCKET,
        object: 'raw-stream.txt',
        stream: Readable.from([body]),
        headers: { 'Content-Length': String(body.length) },
        successStatuses: [200],
      })
      .then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
    expect(error).toMatchObject({ code: 'InvalidAccessKeyId', retryWithFreshBody: true });
    expect(oss.getObject(BUCKET, 'raw-stream.txt')).toBeUndefined();
    expect(oss.requests.entries().map((r) => [r.accessKeyId, r.status])).toEqual([[K1.accessKeyId, 403]]);
  });

  it('request after shutdown rejects (not a synchronous throw) with ProxyBucket.Shutdown', async () => {
    await bucket.shutdown();
    const pending = bucket.request({ method: 'GET', bucket: BUCKET, object: 'x', successStatuses: [200] });
    await expect(pending).rejects.toMatchObject({ code: 'ProxyBucket.Shutdown' });
  });
});
