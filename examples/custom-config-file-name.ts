/**
 * A properties file with another name or place than `managed_credentials_providers.properties` in the
 * working directory: `ConfigLoader.setConfigName(path)` (as in the official providers), or the
 * `ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE` environment variable. Relative paths inside the file are
 * relative to the file's folder.
 * Run: `npx tsx examples/custom-config-file-name.ts`
 */
import { ConfigLoader, ProxyBucket } from 'ali-oss-managed-credentials';
import { runIfScript, startLocalCloud } from './local-cloud.js';

/** Loads `my-service.kms.properties` by name, uploads once, and reports which file was used. */
export async function main(): Promise<{ configFile?: string; secretNames: readonly string[]; stored: string[] }> {
  const cloud = await startLocalCloud({ configFileName: 'my-service.kms.properties' });
  try {
    ConfigLoader.setConfigName(cloud.configFile); // absolute, or relative to the working directory

    // Optional: load it yourself to check it (or to show it at start-up); secrets are redacted in it.
    const config = ConfigLoader.load();

    const bucket = new ProxyBucket({ secretName: cloud.secretName, ...cloud.ossOptions, bucket: cloud.bucket });
    await bucket.put('configured-by-name.txt', Buffer.from('the file was found by its custom name'));
    await bucket.shutdown();
    return { configFile: config.configFile, secretNames: config.secretNames, stored: cloud.oss.listObjectKeys(cloud.bucket) };
  } finally {
    ConfigLoader.setConfigName(undefined);
    await cloud.close();
  }
}

runIfScript(import.meta.url, main);
