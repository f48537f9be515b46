/**
 * How ProxyBucket treats each method of the ali-oss 6.x client. The lists are explicit (not derived from
 * `AsyncFunction` checks) because ali-oss mixes styles, e.g. `parseXML` returns a promise but is not async.
 */

/**
 * Plumbing that ali-oss also calls on itself. Internal calls reach the wrapped client directly, so they are
 * never intercepted twice; on a ProxyBucket, `request` goes through the hooked request (current key,
 * refresh-and-retry once when replayable) and the others are passed straight to the wrapped client.
 */
export const PLUMBING_METHODS: ReadonlySet<string> = new Set([
  'request',
  'requestError',
  'parseXML',
  'checkBrowserAndVersion',
]);

/** Synchronous methods that read the AccessKey; they use the current key and throw before the first load. */
export const SYNC_SIGNING_METHODS: ReadonlySet<string> = new Set([
  'signatureUrl',
  'calculatePostSignature',
  'signPostObjectPolicyV4',
  'getRtmpUrl',
  'signature',
  'authorization',
  'authorizationV4',
]);

/** Synchronous methods that read no credentials; passed straight through. */
export const SYNC_PLAIN_METHODS: ReadonlySet<string> = new Set([
  'useBucket',
  'setBucket',
  'getBucket',
  'setSLDEnabled',
  'getObjectUrl',
  'generateObjectUrl',
  'cancel',
  'isCancel',
  'resetCancelFlag',
]);

/**
 * Every public method of `client` that is neither plumbing nor synchronous: the calls that go to OSS and
 * get the refresh-and-retry treatment. Read from the prototype so new ali-oss methods are covered too.
 */
export function callMethodNames(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => {
    if (name === 'constructor' || name.startsWith('_')) return false;
    if (PLUMBING_METHODS.has(name) || SYNC_SIGNING_METHODS.has(name) || SYNC_PLAIN_METHODS.has(name)) return false;
    return typeof (prototype as Record<string, unknown>)[name] === 'function';
  });
}
