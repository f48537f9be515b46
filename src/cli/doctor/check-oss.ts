import OSS from 'ali-oss';
import { randomBytes } from 'node:crypto';
import type { AccessKeyCredential } from '../../credentials/access-key-credential.js';
import type { DoctorOssCheck } from './doctor-report.js';
import { describeProblem } from './next-step.js';

/** Code of an OSS check that could not start because ali-oss refused `--bucket`, `--endpoint` or `--region`. */
export const INVALID_OSS_OPTIONS = 'Doctor.InvalidOssOptions';

/** What {@link checkOss} checks with. */
export interface OssCheckInput {
  bucket: string;
  endpoint: string;
  region?: string | undefined;
  /** The key to sign with; `undefined` when no source delivered one (the check then fails at once). */
  credential: AccessKeyCredential | undefined;
  secretName: string;
  /** How long to wait for OSS's answer, ms. */
  timeoutMs: number;
}

/**
 * GET of an object that does not exist: OSS answers 404 `NoSuchKey` only after it accepted the signature,
 * so that answer proves the key and the bucket with the permission applications have (`getBucketInfo`
 * needs a bucket-level one). Not HEAD: ali-oss reports every bodiless 404 as `NoSuchKey`, which would hide
 * a missing bucket.
 */
export async function checkOss(input: OssCheckInput): Promise<DoctorOssCheck> {
  const { bucket, endpoint, region, credential, secretName, timeoutMs } = input;
  const objectName = `ali-oss-managed-credentials-doctor/${randomBytes(6).toString('hex')}`;
  const check: DoctorOssCheck = { bucket, endpoint, objectName, ok: false };
  if (credential === undefined) {
    check.problem = {
      code: 'Doctor.NoCredential',
      message: `no AccessKey to check OSS with: no KMS source delivered secret "${secretName}" as an AccessKey`,
      nextStep: 'Fix the KMS checks above first; the OSS check signs with the key from the secret.',
    };
    return check;
  }
  let client: OSS;
  try {
    client = new OSS({
      endpoint,
      bucket,
      ...(region === undefined ? {} : { region }),
      accessKeyId: credential.accessKeyId,
      accessKeySecret: credential.accessKeySecret,
      ...(credential.securityToken === undefined ? {} : { stsToken: credential.securityToken }),
      timeout: timeoutMs,
    });
  } catch (error) {
    // ali-oss validates its options synchronously (e.g. the bucket name rules): a command-line mistake.
    check.problem = {
      code: INVALID_OSS_OPTIONS,
      message: `ali-oss does not accept these OSS options: ${(error as Error).message}`,
      nextStep: 'Fix --bucket (3-63 lowercase letters, digits and hyphens), --endpoint or --region.',
    };
    return check;
  }
  try {
    await client.get(objectName);
    check.ok = true;
    check.answer = '200 (the object exists)';
  } catch (error) {
    const { code, status } = error as { code?: unknown; status?: unknown };
    // Only an answer from OSS has a status; a network failure has none (ali-oss uses -1).
    if (typeof status === 'number' && status > 0) check.answer = `${status} ${typeof code === 'string' ? code : 'error'}`;
    if (code === 'NoSuchKey') check.ok = true;
    else check.problem = describeProblem(error, { service: 'oss', secretName, endpoint, bucket, timeoutMs });
  }
  return check;
}
