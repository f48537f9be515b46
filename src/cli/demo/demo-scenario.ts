import { randomBytes } from 'node:crypto';

/** Name of the managed RAM credential secret the demo creates in LocalDkms. */
export const DEMO_SECRET_NAME = 'oss-demo-ak';
/** Bucket the demo creates in LocalOss. */
export const DEMO_BUCKET = 'demo-bucket';
/** Region the demo's KMS instance claims to live in. */
export const DEMO_REGION_ID = 'cn-hangzhou';

/** An AccessKey pair as the emulators take it. `accessKeySecret` is secret and is never printed. */
export interface DemoAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** A fresh, random AccessKey whose id shows its generation (`LTAI5tDemo1...`, `LTAI5tDemo2...`). */
export function newDemoAccessKey(generation: number): DemoAccessKey {
  return {
    accessKeyId: `LTAI5tDemo${generation}${randomBytes(5).toString('hex')}`,
    accessKeySecret: randomBytes(22).toString('base64url'),
  };
}

/**
 * The properties file the demo writes, in the format users write theirs. Paths are relative to the file's
 * folder; the file holds no secret (the ClientKey password is in its own file).
 */
export function demoPropertiesText(input: {
  endpoint: string;
  clientKeyFile: string;
  passwordFile: string;
  caFile: string;
}): string {
  const instance = {
    regionId: DEMO_REGION_ID,
    endpoint: input.endpoint,
    clientKeyFile: input.clientKeyFile,
    passwordFromFilePath: input.passwordFile,
    caFilePath: input.caFile,
  };
  return [
    '# Written by `ali-oss-managed-credentials demo`: one KMS instance (LocalDkms) with its ClientKey.',
    `cache_client_dkms_config_info=[${JSON.stringify(instance)}]`,
    `secret_names=${DEMO_SECRET_NAME}`,
    '',
  ].join('\n');
}
