/**
 * Basic usage: a properties file, a ProxyBucket, the usual ali-oss calls, shutdown.
 * Run: `npx tsx examples/basic-usage.ts`
 */
import { ConfigLoader, ProxyBucket, type OssBucket } from 'ali-oss-managed-credentials';
import { runIfScript, startLocalCloud } from './local-cloud.js';

/** Stores, reads and lists two objects through a ProxyBucket; returns what it read. */
export async function main(): Promise<{ read: string; listed: string[]; accessKeyId: string | undefined }> {
  const cloud = await startLocalCloud();
  try {
    // In production the file sits in the working directory and this line is not needed.
    ConfigLoader.setConfigName(cloud.configFile);

    // OssBucket: every ali-oss method plus ready(), shutdown() and the key id, so no cast is needed below.
    const bucket: OssBucket = new ProxyBucket({ secretName: cloud.secretName, ...cloud.ossOptions, bucket: cloud.bucket });
    await bucket.put('reports/2026-11-29.txt', Buffer.from('hello from a rotating key'));
    await bucket.put('reports/2026-11-30.txt', Buffer.from('and another one'));
    const { content } = await bucket.get('reports/2026-11-29.txt');
    const { objects } = await bucket.list({ prefix: 'reports/', 'max-keys': 10 }, {});
    const accessKeyId = bucket.accessKeyId; // the AccessKeyId in use, never the secret

    await bucket.shutdown();
    return { read: String(content), listed: objects.map((object) => object.name), accessKeyId };
  } finally {
    ConfigLoader.setConfigName(undefined);
    await cloud.close();
  }
}

runIfScript(import.meta.url, main);
