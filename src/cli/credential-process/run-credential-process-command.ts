import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AccessKeyCredential } from '../../credentials/access-key-credential.js';
import { SecretCacheClient } from '../../cache/secret-cache-client.js';
import { ConfigLoader } from '../../config/config-loader.js';
import type { ProviderConfig } from '../../config/provider-config.js';
import { cacheOptionsFromSettings } from '../../defaults/default-cache-client.js';
import { secretSourceFromConfig } from '../../kms/secret-source-from-config.js';
import { locatePropertiesFile } from '../doctor/locate-properties-file.js';
import { describeProblem } from '../doctor/next-step.js';
import type { ProblemContext } from '../doctor/problem-context.js';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { isHelpFlag } from '../is-help-flag.js';
import type { CliEnvironment } from '../run-cli.js';
import { CREDENTIAL_PROCESS_SYNOPSIS, CREDENTIAL_PROCESS_USAGE } from './credential-process-usage.js';
import { toExternalCredential } from './external-credential.js';

/**
 * `credential-process --secret NAME [--config FILE]`: loads the configuration as the library does, fetches
 * the secret once through a {@link SecretCacheClient} (then closes it) and prints it as one
 * `ExternalCredential` JSON object on stdout, the only thing written there. Warnings and errors go to
 * stderr with a next step, never with a secret.
 *
 * @returns 0 printed, 1 the secret could not be fetched or is no AccessKey, 2 usage or configuration error
 */
export async function runCredentialProcessCommand(args: readonly string[], environment: CliEnvironment): Promise<number> {
  let values: { secret?: string; config?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: { secret: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    if (args.some(isHelpFlag)) return printUsage(environment);
    return usageError(environment, (error as Error).message.split(/\.(?:\s|$)/)[0] ?? String(error));
  }
  if (values.help === true) return printUsage(environment);
  const secretName = values.secret?.trim();
  if (secretName === undefined || secretName === '') return usageError(environment, '--secret NAME is required');

  const env = environment.env;
  const cwd = resolve(environment.cwd ?? process.cwd());
  const configFile = values.config;
  const context: ProblemContext = { secretName, env, propertiesFile: locatePropertiesFile({ configFile, env, cwd }) };

  let config: ProviderConfig;
  let client: SecretCacheClient;
  try {
    config = ConfigLoader.load({ ...(configFile === undefined ? {} : { configName: configFile }), env, cwd });
    // Opens every ClientKey: a wrong password is a configuration problem, like a wrong key.
    client = new SecretCacheClient({ source: secretSourceFromConfig(config), ownsSource: true, ...cacheOptionsFromSettings(config.cache) });
  } catch (error) {
    return failure(environment, error, context, EXIT_USAGE);
  }
  for (const warning of config.warnings) environment.stderr.write(`warning: credential-process: ${warning.message}\n`);

  let credential: AccessKeyCredential;
  let nextRefreshAtMs: number | undefined;
  try {
    credential = await client.getCredential(secretName);
    nextRefreshAtMs = client.getStatus(secretName)?.nextRefreshAtMs;
  } catch (error) {
    return failure(environment, error, context, EXIT_CHECK_FAILED);
  } finally {
    await client.close();
  }
  // One write of one line: the reader parses stdout as a whole.
  environment.stdout.write(`${JSON.stringify(toExternalCredential(credential, nextRefreshAtMs))}\n`);
  return EXIT_OK;
}

function failure(environment: CliEnvironment, error: unknown, context: ProblemContext, exitCode: number): number {
  const problem = describeProblem(error, context);
  environment.stderr.write(
    `error: credential-process: ${problem.code}: ${problem.message}\n${problem.nextStep}\n` +
      `(ali-oss-managed-credentials doctor checks the whole configuration, with the same --config and --secret)\n`,
  );
  return exitCode;
}

function printUsage(environment: CliEnvironment): number {
  environment.stdout.write(`${CREDENTIAL_PROCESS_USAGE}\n`);
  return EXIT_OK;
}

function usageError(environment: CliEnvironment, message: string): number {
  environment.stderr.write(
    `error: credential-process: ${message}\nusage: ${CREDENTIAL_PROCESS_SYNOPSIS}\n(ali-oss-managed-credentials credential-process --help for details)\n`,
  );
  return EXIT_USAGE;
}
