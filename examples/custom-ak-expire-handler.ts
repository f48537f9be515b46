/**
 * A custom AKExpireHandler: decide which OSS errors mean "the AccessKey was rejected, fetch the new one and
 * retry". Here: the default codes plus SignatureDoesNotMatch, and a count of the judgements for metrics.
 * Run: `npx tsx examples/custom-ak-expire-handler.ts`
 */
import { ConfigLoader, OssAKExpireHandler, ProxyBucket, type AKExpireHandler } from 'ali-oss-managed-credentials';
import { runIfScript, startLocalCloud } from './local-cloud.js';

/** Counts the errors it judged as a rejected key, and delegates the decision to OssAKExpireHandler. */
export class CountingAKExpireHandler implements AKExpireHandler {
  rejectedKeys = 0;
  readonly #codes = new OssAKExpireHandler(['InvalidAccessKeyId', 'SignatureDoesNotMatch']);

  judgeAKExpire(error: unknown): boolean {
    const expired = this.#codes.judgeAKExpire(error);
    if (expired) this.rejectedKeys += 1;
    return expired;
  }
}

/** Uploads, rotates and revokes the key, uploads again: the second upload succeeds after one judged rejection. */
export async function main(): Promise<{ keyBefore?: string; keyAfter?: string; rejectedKeys: number; stored: string[] }> {
  const cloud = await startLocalCloud();
  const handler = new CountingAKExpireHandler();
  try {
    ConfigLoader.setConfigName(cloud.configFile);
    const bucket = new ProxyBucket({ secretName: cloud.secretName, ...cloud.ossOptions, bucket: cloud.bucket, akExpireHandler: handler });

    await bucket.put('before-rotation.txt', Buffer.from('signed with the first key'));
    const keyBefore = bucket.accessKeyId;
    cloud.rotateAndRevoke(); // KMS now holds a new key; OSS rejects the old one
    await bucket.put('after-rotation.txt', Buffer.from('rejected once, then retried with the new key'));
    const keyAfter = bucket.accessKeyId;

    await bucket.shutdown();
    return { keyBefore, keyAfter, rejectedKeys: handler.rejectedKeys, stored: cloud.oss.listObjectKeys(cloud.bucket) };
  } finally {
    ConfigLoader.setConfigName(undefined);
    await cloud.close();
  }
}

runIfScript(import.meta.url, main);
