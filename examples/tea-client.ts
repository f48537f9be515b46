/**
 * Any Alibaba Cloud SDK client ("Tea" clients, `@alicloud/<product><version>`) with the managed AccessKey:
 * `createManagedClient` builds the client with the rotating key from KMS and retries a call once when the
 * service rejects a key that KMS has already replaced. Here: STS `GetCallerIdentity` across an emergency
 * rotation, configured by the same properties file as ProxyBucket.
 * Run: `npx tsx examples/tea-client.ts`
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import Sts from '@alicloud/sts20150401';
import { ConfigLoader, createManagedClient, shutdownManagedClient } from 'ali-oss-managed-credentials';
import { LocalDkms, LocalOpenApi } from 'ali-oss-managed-credentials/testing';
import { runIfScript } from './local-cloud.js';

/** Asks STS who is calling, rotates and revokes the key, asks again: the second call just works. */
export async function main(): Promise<{ before?: string; after?: string; requests: string[] }> {
  const cloud = await startLocalStsCloud();
  try {
    // In production the file sits in the working directory and this line is not needed.
    ConfigLoader.setConfigName(cloud.configFile);

    // Your usual client config, without any AccessKey: it comes from the secret.
    const sts = createManagedClient(Sts, new $OpenApiUtil.Config({ endpoint: cloud.endpoint, protocol: 'http' }), {
      secretName: cloud.secretName,
    });
    const before = (await sts.getCallerIdentity()).body?.userId;
    cloud.rotateAndRevoke(); // KMS now holds a new key; the gateway no longer knows the old one
    const after = (await sts.getCallerIdentity()).body?.userId; // rejected once, refreshed, retried

    await shutdownManagedClient(sts); // releases the shared cache (a script may also just end)
    return { before, after, requests: cloud.requests() };
  } finally {
    ConfigLoader.setConfigName(undefined);
    await cloud.close();
  }
}

// --- A local stand-in for Alibaba Cloud: a KMS instance and the OpenAPI gateway (STS), and the properties file.

async function startLocalStsCloud() {
  const secretName = 'sts-ram-ak';
  let key = newKey();
  const [dkms, gateway] = await Promise.all([LocalDkms.start(), LocalOpenApi.start({ product: 'Sts', keys: [key] })]);
  gateway.handle({ action: 'GetCallerIdentity' }, (call) => ({
    RequestId: randomBytes(8).toString('hex'),
    AccountId: '1234567890',
    UserId: `ram-user-with-${call.accessKeyId}`,
    Arn: 'acs:ram::1234567890:user/app',
  }));
  dkms.setRamCredential(secretName, { ...key, rotationIntervalMs: 7 * 24 * 60 * 60 * 1000 });
  const dir = await mkdtemp(join(tmpdir(), 'ali-oss-mc-tea-example-'));
  const files = await dkms.writeClientFiles(dir);
  const instance = {
    regionId: 'cn-hangzhou',
    endpoint: dkms.endpoint,
    clientKeyFile: basename(files.clientKeyFile),
    passwordFromFilePath: basename(files.passwordFile),
    caFilePath: basename(files.caFile),
  };
  const configFile = join(dir, 'managed_credentials_providers.properties');
  await writeFile(configFile, `cache_client_dkms_config_info=[${JSON.stringify(instance)}]\nsecret_names=${secretName}\n`);
  return {
    secretName,
    configFile,
    endpoint: gateway.host,
    rotateAndRevoke() {
      const previous = key;
      key = newKey();
      gateway.keys.add(key);
      dkms.rotate(secretName, key);
      gateway.keys.revoke(previous.accessKeyId);
    },
    /** "AccessKeyId -> status or error code" of each request the gateway received. */
    requests: () => gateway.requests.entries().map((r) => `${r.accessKeyId} -> ${r.errorCode ?? r.status}`),
    async close() {
      await Promise.all([dkms.close(), gateway.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI5tExample${randomBytes(4).toString('hex')}`, accessKeySecret: randomBytes(20).toString('base64url') };
}

runIfScript(import.meta.url, main);
