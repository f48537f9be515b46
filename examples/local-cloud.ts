/**
 * Scaffolding shared by the examples: a local stand-in for Alibaba Cloud (a KMS instance and OSS, from
 * `ali-oss-managed-credentials/testing`) plus the properties file a real deployment would have. In your
 * service the file points at your KMS instance, and none of this module exists.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalDkms, LocalOss } from 'ali-oss-managed-credentials/testing';

/** A running local KMS instance and OSS, with a managed RAM credential secret and a bucket. */
export interface LocalCloud {
  readonly dkms: LocalDkms;
  readonly oss: LocalOss;
  /** The secret holding the OSS AccessKey. */
  readonly secretName: string;
  /** The bucket. */
  readonly bucket: string;
  /** ali-oss options that reach the local OSS (`endpoint`, `region`, `secure`); add `bucket`. */
  readonly ossOptions: { endpoint: string; region: string; secure: false };
  /** Folder holding the ClientKey, its password file, the CA bundle and the properties file. */
  readonly dir: string;
  /** `managed_credentials_providers.properties` in {@link LocalCloud.dir}. */
  readonly configFile: string;
  /**
   * An emergency rotation: KMS gets a new AccessKey, OSS accepts it and forgets the old one at once.
   * Resolves with the new AccessKeyId.
   */
  rotateAndRevoke(): string;
  /** Stops both servers and removes the folder. */
  close(): Promise<void>;
}

/** Starts the local cloud and writes the properties file (DKMS instance, ClientKey, password file, CA). */
export async function startLocalCloud(options: { configFileName?: string } = {}): Promise<LocalCloud> {
  const secretName = 'oss-ram-ak';
  const bucket = 'example-bucket';
  let key = newKey();
  const [dkms, oss] = await Promise.all([LocalDkms.start(), LocalOss.start({ buckets: [bucket], keys: [key] })]);
  dkms.setRamCredential(secretName, { ...key, rotationIntervalMs: 7 * 24 * 60 * 60 * 1000 });
  const dir = await mkdtemp(join(tmpdir(), 'ali-oss-mc-example-'));
  const files = await dkms.writeClientFiles(dir);
  const configFile = join(dir, options.configFileName ?? 'managed_credentials_providers.properties');
  const instance = {
    regionId: 'cn-hangzhou',
    endpoint: dkms.endpoint,
    clientKeyFile: basename(files.clientKeyFile),
    passwordFromFilePath: basename(files.passwordFile),
    caFilePath: basename(files.caFile),
  };
  await writeFile(configFile, `cache_client_dkms_config_info=[${JSON.stringify(instance)}]\nsecret_names=${secretName}\n`);
  const { endpoint, region } = oss.clientOptions();
  return {
    dkms,
    oss,
    secretName,
    bucket,
    ossOptions: { endpoint, region, secure: false },
    dir,
    configFile,
    rotateAndRevoke() {
      const previous = key;
      key = newKey();
      oss.keys.add(key);
      dkms.rotate(secretName, key);
      oss.keys.revoke(previous.accessKeyId);
      return key.accessKeyId;
    },
    async close() {
      await Promise.all([dkms.close(), oss.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI5tExample${randomBytes(4).toString('hex')}`, accessKeySecret: randomBytes(20).toString('base64url') };
}

/** Runs `main` when the example is started as a script (`npx tsx examples/<name>.ts`), printing its result. */
export function runIfScript(moduleUrl: string, main: () => Promise<unknown>): void {
  const script = process.argv[1];
  if (script === undefined || pathToFileURL(script).href !== moduleUrl) return;
  main().then(
    (result) => console.log(result),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
