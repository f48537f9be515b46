import OSS from 'ali-oss';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ConfigError } from '../../config/config-error.js';
import { ConfigLoader } from '../../config/config-loader.js';
import type { DkmsInstanceConfig, ProviderConfig, RegionConfig } from '../../config/provider-config.js';
import type { AccessKeyCredential } from '../../credentials/access-key-credential.js';
import { isRamUserAccessKeySecret } from '../../credentials/is-ram-user-access-key-secret.js';
import { parseAccessKeyCredential } from '../../credentials/parse-access-key-credential.js';
import { readClientKeyFileSync } from '../../kms/dkms/client-key-loader.js';
import { DkmsSecretSource } from '../../kms/dkms/dkms-secret-source.js';
import { OpenApiSecretSource } from '../../kms/openapi/open-api-secret-source.js';
import type { SecretSource } from '../../kms/secret-source.js';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { describeSettings } from './describe-settings.js';
import type { DoctorOssCheck, DoctorProblem, DoctorReport, DoctorSourceCheck } from './doctor-report.js';
import { describeProblem } from './next-step.js';

/** What `doctor` checks. */
export interface DoctorInput {
  /** Properties file; default the usual lookup (`setConfigName`, env var, working directory). */
  configFile?: string;
  /** Secret to fetch; default the first of `secret_names`. */
  secretName?: string;
  /** Bucket for the OSS check (with `endpoint`). */
  bucket?: string;
  /** OSS endpoint for the OSS check, e.g. `oss-cn-hangzhou.aliyuncs.com`. */
  endpoint?: string;
  /** ali-oss `region`, when the endpoint alone is not enough. */
  region?: string;
  /** Environment for the configuration (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
}

/**
 * Checks a configuration the way the library will use it: loads and validates it, fetches the secret
 * once from every configured source (no retries, so each source is judged on its own), and, given a
 * bucket and endpoint, signs a GET of a missing object with the key from the secret (a 404 `NoSuchKey`
 * proves OSS accepts the key). Every failure carries a next step. Secrets are never part of the report.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const report: DoctorReport = { ok: false, exitCode: EXIT_OK, settings: [], dkmsInstances: [], regions: [], warnings: [], sources: [], nextSteps: [] };
  const finish = (exitCode: number): DoctorReport => {
    report.exitCode = exitCode;
    report.ok = exitCode === EXIT_OK;
    return report;
  };
  const fail = (problem: DoctorProblem) => {
    report.nextSteps.push(problem.nextStep);
    return problem;
  };

  let config: ProviderConfig;
  try {
    config = ConfigLoader.load({
      ...(input.configFile === undefined ? {} : { configName: input.configFile }),
      ...(input.env === undefined ? {} : { env: input.env }),
      ...(input.cwd === undefined ? {} : { cwd: input.cwd }),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report.configProblem = fail(describeProblem(error));
    return finish(EXIT_USAGE);
  }
  if (config.configFile !== undefined) report.configFile = config.configFile;
  report.settings = describeSettings(config);
  report.dkmsInstances = config.dkmsInstances.map((instance) => ({
    regionId: instance.regionId,
    endpoint: instance.endpoint,
    clientKeyFile: instance.clientKeyFile,
    passwordSource: instance.passwordSource,
    ...(instance.caFilePath === undefined ? {} : { caFilePath: instance.caFilePath }),
    ignoreSslCerts: instance.ignoreSslCerts,
  }));
  report.regions = config.regions.map((region) => ({
    regionId: region.regionId,
    ...(region.endpoint === undefined ? {} : { endpoint: region.endpoint }),
    vpc: region.vpc,
  }));
  report.warnings = config.warnings.map((warning) => warning.message);

  const secretName = input.secretName ?? config.secretNames[0];
  if (secretName === undefined) {
    report.configProblem = fail({
      code: 'Doctor.NoSecretName',
      message: 'no secret to fetch: --secret is not given and secret_names is empty',
      nextStep: 'Pass --secret NAME, or set secret_names in the configuration.',
    });
    return finish(EXIT_USAGE);
  }
  report.secretName = secretName;

  let configBroken = false;
  let checkFailed = false;
  let credential: AccessKeyCredential | undefined;
  const candidates: Array<{ kind: 'dkms' | 'openapi'; describe: string; endpoint: string; build: () => SecretSource }> = [
    ...config.dkmsInstances.map((instance) => ({
      kind: 'dkms' as const,
      describe: `dkms(${instance.endpoint}, ${instance.regionId})`,
      endpoint: instance.endpoint,
      build: () => dkmsSource(instance, report.warnings),
    })),
    ...config.regions.map((region) => ({
      kind: 'openapi' as const,
      describe: `openapi(${region.endpoint ?? region.regionId})`,
      endpoint: region.endpoint ?? `the KMS endpoint of ${region.regionId}`,
      build: () => openApiSource(region, config),
    })),
  ];
  for (const candidate of candidates) {
    const check: DoctorSourceCheck = { source: candidate.describe, kind: candidate.kind, ok: false };
    report.sources.push(check);
    let source: SecretSource;
    try {
      source = candidate.build();
      check.source = source.description;
    } catch (error) {
      // A ClientKey that cannot be opened is a configuration problem, not an outage.
      configBroken = true;
      check.problem = fail(describeProblem(error, { secretName, endpoint: candidate.endpoint }));
      continue;
    }
    try {
      const started = performance.now();
      const info = await source.getSecretValue({ secretName });
      check.latencyMs = Math.round(performance.now() - started);
      if (info.versionId !== undefined) check.versionId = info.versionId;
      check.versionStages = [...info.versionStages];
      if (info.nextRotationDateMs !== undefined) check.nextRotationDate = new Date(info.nextRotationDateMs).toISOString();
      if (isRamUserAccessKeySecret(info) || info.secretType === 'RAMCredentials') {
        const parsed = parseAccessKeyCredential(info);
        check.accessKeyId = parsed.accessKeyId;
        credential ??= parsed;
      }
      check.ok = true;
    } catch (error) {
      checkFailed = true;
      check.problem = fail(describeProblem(error, { secretName, endpoint: candidate.endpoint }));
    } finally {
      await source.close?.();
    }
  }

  if (input.bucket !== undefined && input.endpoint !== undefined) {
    report.oss = await checkOss(input.bucket, input.endpoint, input.region, credential, secretName);
    if (!report.oss.ok) {
      checkFailed = true;
      if (report.oss.problem) report.nextSteps.push(report.oss.problem.nextStep);
    }
  }
  return finish(configBroken ? EXIT_USAGE : checkFailed ? EXIT_CHECK_FAILED : EXIT_OK);
}

function dkmsSource(instance: DkmsInstanceConfig, warnings: string[]): SecretSource {
  return new DkmsSecretSource({
    endpoint: instance.endpoint,
    regionId: instance.regionId,
    clientKey: readClientKeyFileSync(instance.clientKeyFile, instance.password),
    ...(instance.caFilePath === undefined ? {} : { caFilePath: instance.caFilePath }),
    ignoreSslCerts: instance.ignoreSslCerts,
    maxRetries: 0, // judge each source on one call
    ...(instance.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: instance.connectTimeoutMs }),
    ...(instance.readTimeoutMs === undefined ? {} : { readTimeoutMs: instance.readTimeoutMs }),
    onWarning: (message) => warnings.push(message),
  });
}

function openApiSource(region: RegionConfig, config: ProviderConfig): SecretSource {
  return new OpenApiSecretSource({
    regionId: region.regionId,
    ...(region.endpoint === undefined ? {} : { endpoint: region.endpoint }),
    vpc: region.vpc,
    ...(region.caFilePath === undefined ? {} : { caFilePath: region.caFilePath }),
    credentials: config.credentials ?? { type: 'default' },
  });
}

/**
 * GET of an object that does not exist: OSS answers 404 `NoSuchKey` only after it accepted the signature,
 * so that answer proves the key and the bucket with the permission applications have (`getBucketInfo`
 * needs a bucket-level one). Not HEAD: ali-oss reports every bodiless 404 as `NoSuchKey`, which would hide
 * a missing bucket.
 */
async function checkOss(
  bucket: string,
  endpoint: string,
  region: string | undefined,
  credential: AccessKeyCredential | undefined,
  secretName: string,
): Promise<DoctorOssCheck> {
  const objectName = `ali-oss-managed-credentials-doctor/${randomBytes(6).toString('hex')}`;
  const check: DoctorOssCheck = { bucket, endpoint, objectName, ok: false };
  if (credential === undefined) {
    check.problem = {
      code: 'Doctor.NoCredential',
      message: `no AccessKey to check OSS with: no source delivered secret "${secretName}" as a RAM credential`,
      nextStep: 'Fix the KMS checks above first; the OSS check signs with the key from the secret.',
    };
    return check;
  }
  const client = new OSS({
    endpoint,
    bucket,
    ...(region === undefined ? {} : { region }),
    accessKeyId: credential.accessKeyId,
    accessKeySecret: credential.accessKeySecret,
    ...(credential.securityToken === undefined ? {} : { stsToken: credential.securityToken }),
    timeout: 10_000,
  });
  try {
    await client.get(objectName);
    check.ok = true;
    check.answer = '200 (the object exists)';
  } catch (error) {
    const { code, status } = error as { code?: unknown; status?: unknown };
    check.answer = `${typeof status === 'number' && status > 0 ? `${status} ` : ''}${typeof code === 'string' ? code : 'error'}`;
    if (code === 'NoSuchKey') check.ok = true;
    else check.problem = describeProblem(error, { secretName, endpoint, bucket });
    // ali-oss errors can carry request details; keep only the code and a short message.
    if (check.problem !== undefined) check.problem.message = check.problem.message.split('\n')[0] ?? check.problem.message;
  }
  return check;
}
