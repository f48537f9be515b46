import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { ConfigError } from '../../config/config-error.js';
import { ConfigLoader } from '../../config/config-loader.js';
import type { DkmsInstanceConfig, ProviderConfig, RegionConfig } from '../../config/provider-config.js';
import type { AccessKeyCredential } from '../../credentials/access-key-credential.js';
import { parseAccessKeyCredential } from '../../credentials/parse-access-key-credential.js';
import { DEFAULT_KMS_AGENT_TOKEN_FILE, KMS_AGENT_TOKEN_ENV_VARIABLES } from '../../kms/agent/kms-agent-token.js';
import { readClientKeyFileSync } from '../../kms/dkms/client-key-loader.js';
import { KmsErrorCode } from '../../kms/kms-error.js';
import { kmsAgentSourceFromConfig } from '../../kms/secret-source-from-config.js';
import { DkmsSecretSource } from '../../kms/dkms/dkms-secret-source.js';
import { OpenApiSecretSource } from '../../kms/openapi/open-api-secret-source.js';
import type { SecretInfo } from '../../kms/secret-info.js';
import type { SecretSource } from '../../kms/secret-source.js';
import { EXIT_CHECK_FAILED, EXIT_DEGRADED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { checkOss, INVALID_OSS_OPTIONS } from './check-oss.js';
import { describeSettings } from './describe-settings.js';
import type { DoctorProblem, DoctorReport, DoctorSourceCheck } from './doctor-report.js';
import { locatePropertiesFile } from './locate-properties-file.js';
import { classifyTransportFailure } from './transport-failure.js';
import { describeProblem } from './next-step.js';

/** Default of {@link DoctorInput.ossTimeoutMs}. */
export const DEFAULT_OSS_CHECK_TIMEOUT_MS = 10_000;

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
  /** How long the OSS check waits for an answer, ms; default {@link DEFAULT_OSS_CHECK_TIMEOUT_MS}. */
  ossTimeoutMs?: number;
  /** Environment for the configuration (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
}

/** A configured source, set up (its ClientKey opened) before anything is fetched. */
interface PreparedSource {
  check: DoctorSourceCheck;
  endpoint: string;
  source?: SecretSource;
}

/**
 * Checks a configuration the way the library will use it, in order: loads and validates it; sets up every
 * configured source (which opens each ClientKey with its password), so the configuration is only called
 * valid once that worked; fetches the secret once from every source that could be set up (no retries, so
 * each is judged on its own) and parses its value exactly as ProxyBucket does; and, given a bucket and
 * endpoint, signs a GET of a missing object with that key (a 404 `NoSuchKey` proves OSS accepts the key).
 * Every failure carries a next step fitting what happened. Secrets are never part of the report.
 *
 * Exit code: 2 when the configuration (or the command line) cannot be used; else 1 when the application
 * would fail (no KMS source serves a usable key, or OSS refuses it); else 3 when it works through failover
 * only (some of the configured sources failed: "works through N of M"); else 0. Any failure is non-zero, so
 * `doctor && deploy` stops on a lost spare too; a script that accepts one tells it by the 3.
 */
export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const report: DoctorReport = {
    ok: false,
    exitCode: EXIT_OK,
    settings: [],
    kmsAgents: [],
    dkmsInstances: [],
    regions: [],
    warnings: [],
    sources: [],
    nextSteps: [],
  };
  const finish = (exitCode: number): DoctorReport => {
    report.exitCode = exitCode;
    report.ok = exitCode === EXIT_OK;
    return report;
  };
  const fail = (problem: DoctorProblem) => {
    report.nextSteps.push(problem.nextStep);
    return problem;
  };
  const env = input.env ?? process.env;
  const cwd = resolve(input.cwd ?? process.cwd());

  // Located before loading, so that the header names the file even when loading it fails.
  const propertiesFile = locatePropertiesFile({ configFile: input.configFile, env, cwd });
  report.configFile = propertiesFile.path;
  report.configFileNamedBy = propertiesFile.chosenBy;
  report.configFileFound = propertiesFile.exists;

  let config: ProviderConfig;
  try {
    config = ConfigLoader.load({ ...(input.configFile === undefined ? {} : { configName: input.configFile }), env, cwd });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report.configProblem = fail(describeProblem(error, { propertiesFile, env }));
    return finish(EXIT_USAGE);
  }
  report.settings = describeSettings(config);
  report.warnings = config.warnings.map((warning) => warning.message);

  const secretName = input.secretName ?? config.secretNames[0];
  const prepared = prepareSources(config, report, secretName, fail);
  const configBroken = prepared.some((entry) => entry.source === undefined);
  if (secretName === undefined) {
    report.configProblem = fail({
      code: 'Doctor.NoSecretName',
      message: 'no secret to fetch: --secret is not given and secret_names is empty',
      nextStep: 'Pass --secret NAME, or set secret_names in the configuration.',
    });
    await closeAll(prepared);
    return finish(EXIT_USAGE);
  }
  report.secretName = secretName;

  let sourceFailed = false;
  let credential: AccessKeyCredential | undefined;
  for (const { check, endpoint, source } of prepared) {
    report.sources.push(check);
    if (source === undefined) continue;
    const outcome = await fetchAndParse(source, secretName, check, endpoint).finally(() => source.close?.());
    if ('problem' in outcome) {
      sourceFailed = true;
      check.problem = fail(outcome.problem);
    } else {
      credential ??= outcome.credential;
    }
  }
  const working = report.sources.filter((check) => check.ok).length;
  report.sourcesWorking = { working, total: report.sources.length };
  // The application reads the secret through the first source that works: it fails only when none does.
  let checkFailed = working === 0 && report.sources.length > 0;
  const degraded = sourceFailed && !checkFailed;

  let usageProblem = false;
  if (input.bucket !== undefined && input.endpoint !== undefined) {
    report.oss = await checkOss({
      bucket: input.bucket,
      endpoint: input.endpoint,
      region: input.region,
      credential,
      secretName,
      timeoutMs: input.ossTimeoutMs ?? DEFAULT_OSS_CHECK_TIMEOUT_MS,
    });
    if (!report.oss.ok) {
      checkFailed = true;
      if (report.oss.problem) fail(report.oss.problem);
      usageProblem = report.oss.problem?.code === INVALID_OSS_OPTIONS;
    }
  }
  return finish(configBroken || usageProblem ? EXIT_USAGE : checkFailed ? EXIT_CHECK_FAILED : degraded ? EXIT_DEGRADED : EXIT_OK);
}

/**
 * Sets up one source per configured instance and region, recording each in the report. A source that
 * cannot be set up (a ClientKey that does not open with its password, incomplete RAM credentials) is a
 * configuration problem of that entry, and its fetch is skipped.
 */
function prepareSources(
  config: ProviderConfig,
  report: DoctorReport,
  secretName: string | undefined,
  fail: (problem: DoctorProblem) => DoctorProblem,
): PreparedSource[] {
  const prepared: PreparedSource[] = [];
  for (const agent of config.kmsAgents) {
    const tokenFrom =
      agent.tokenFromFilePath !== undefined
        ? `file ${agent.tokenFromFilePath}`
        : agent.tokenFromEnvVariable !== undefined
          ? `env ${agent.tokenFromEnvVariable}`
          : `the agent's order (${KMS_AGENT_TOKEN_ENV_VARIABLES.join(', ')}, then ${DEFAULT_KMS_AGENT_TOKEN_FILE})`;
    report.kmsAgents.push({ endpoint: agent.endpoint, tokenFrom, allowNonLoopback: agent.allowNonLoopback });
    const source = kmsAgentSourceFromConfig(agent);
    prepared.push({ check: { source: source.description, kind: 'agent', ok: false }, endpoint: agent.endpoint, source });
  }
  for (const instance of config.dkmsInstances) {
    const entry: DoctorReport['dkmsInstances'][number] = {
      regionId: instance.regionId,
      endpoint: instance.endpoint,
      clientKeyFile: instance.clientKeyFile,
      passwordSource: instance.passwordSource,
      ...(instance.caFilePath === undefined ? {} : { caFilePath: instance.caFilePath }),
      ignoreSslCerts: instance.ignoreSslCerts,
    };
    report.dkmsInstances.push(entry);
    const check: DoctorSourceCheck = { source: `dkms(${instance.endpoint}, ${instance.regionId})`, kind: 'dkms', ok: false };
    try {
      const source = dkmsSource(instance, report.warnings);
      check.source = source.description;
      prepared.push({ check, endpoint: instance.endpoint, source });
    } catch (error) {
      entry.problem = fail(describeProblem(error, { service: 'dkms', endpoint: instance.endpoint, ...(secretName === undefined ? {} : { secretName }) }));
      check.skipped = 'its ClientKey cannot be used (see the configuration above)';
      prepared.push({ check, endpoint: instance.endpoint });
    }
  }
  for (const region of config.regions) {
    const endpoint = region.endpoint ?? `the KMS endpoint of ${region.regionId}`;
    const entry: DoctorReport['regions'][number] = {
      regionId: region.regionId,
      ...(region.endpoint === undefined ? {} : { endpoint: region.endpoint }),
      vpc: region.vpc,
    };
    report.regions.push(entry);
    const check: DoctorSourceCheck = { source: `openapi(${region.endpoint ?? region.regionId})`, kind: 'openapi', ok: false };
    try {
      const source = openApiSource(region, config);
      check.source = source.description;
      prepared.push({ check, endpoint, source });
    } catch (error) {
      entry.problem = fail(describeProblem(error, { service: 'openapi', endpoint, ...(secretName === undefined ? {} : { secretName }) }));
      check.skipped = 'its client cannot be set up (see the configuration above)';
      prepared.push({ check, endpoint });
    }
  }
  return prepared;
}

/**
 * One GetSecretValue, as the cache sends it, then the value parsed by the parser ProxyBucket uses: a
 * value that is not an AccessKey fails here with the error ProxyBucket would throw. Fills in `check`.
 */
async function fetchAndParse(
  source: SecretSource,
  secretName: string,
  check: DoctorSourceCheck,
  endpoint: string,
): Promise<{ credential: AccessKeyCredential } | { problem: DoctorProblem }> {
  const service = check.kind;
  let info: SecretInfo;
  try {
    const started = performance.now();
    info = await source.getSecretValue({ secretName, fetchExtendedConfig: true });
    check.latencyMs = Math.round(performance.now() - started);
  } catch (error) {
    if (service === 'agent') check.agentSteps = agentSteps(error);
    return { problem: describeProblem(error, { service, secretName, endpoint }) };
  }
  if (service === 'agent') check.agentSteps = { reachable: true, tokenAccepted: true, secretServed: true };
  if (info.versionId !== undefined) check.versionId = info.versionId;
  check.versionStages = [...info.versionStages];
  if (info.secretType !== undefined) check.secretType = info.secretType;
  if (info.nextRotationDateMs !== undefined) check.nextRotationDate = new Date(info.nextRotationDateMs).toISOString();
  let credential: AccessKeyCredential;
  try {
    credential = parseAccessKeyCredential(info);
  } catch (error) {
    const secretType = info.secretType === undefined ? {} : { secretType: info.secretType };
    return { problem: describeProblem(error, { service, secretName, endpoint, ...secretType }) };
  }
  check.accessKeyId = credential.accessKeyId;
  check.ok = true;
  return { credential };
}

/** How far a read through the KMS Agent got before `error` (`undefined`: that step was not reached). */
function agentSteps(error: unknown): NonNullable<DoctorSourceCheck['agentSteps']> {
  const code = (error as { code?: unknown } | null)?.code;
  // Without a token nothing was sent: whether the agent is up was not checked.
  if (code === KmsErrorCode.AgentTokenUnavailable) return { reachable: undefined, tokenAccepted: false, secretServed: false };
  if (classifyTransportFailure(error) !== undefined) return { reachable: false, tokenAccepted: undefined, secretServed: false };
  return { reachable: true, tokenAccepted: code !== KmsErrorCode.AgentTokenRefused, secretServed: false };
}

async function closeAll(prepared: PreparedSource[]): Promise<void> {
  await Promise.all(prepared.map((entry) => entry.source?.close?.()));
}

function dkmsSource(instance: DkmsInstanceConfig, warnings: string[]): SecretSource {
  return new DkmsSecretSource({
    endpoint: instance.endpoint,
    regionId: instance.regionId,
    clientKey: readClientKeyFileSync(instance.clientKeyFile, instance.password),
    ...(instance.caFilePath === undefined ? {} : { caFilePath: instance.caFilePath }),
    ignoreSslCerts: instance.ignoreSslCerts,
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
