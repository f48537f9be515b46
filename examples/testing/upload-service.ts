import { ProxyBucket } from 'ali-oss-managed-credentials';

/** The code under test in the testing examples: stores a report under a dated name through a ProxyBucket. */
export async function storeReport(bucket: ProxyBucket, day: string, text: string): Promise<string> {
  const name = `reports/${day}.txt`;
  await bucket.put(name, Buffer.from(text));
  return name;
}
