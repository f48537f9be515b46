import { createCliOutput, type TextSink } from './cli-output.js';
import { CREDENTIAL_PROCESS_OPTIONS } from './credential-process/credential-process-usage.js';
import { runCredentialProcessCommand } from './credential-process/run-credential-process-command.js';
import { runDemo } from './demo/run-demo.js';
import { DOCTOR_OPTIONS } from './doctor/doctor-usage.js';
import { runDoctorCommand } from './doctor/run-doctor-command.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { isHelpFlag } from './is-help-flag.js';

/** Where the CLI writes and what it reads; the real process in `main.ts`, collectors in tests. */
export interface CliEnvironment {
  stdout: TextSink;
  stderr: TextSink;
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths; default `process.cwd()`. */
  cwd?: string;
}

/** The usage text. */
export const CLI_USAGE = [
  'usage: ali-oss-managed-credentials <command> [options]',
  '',
  'commands:',
  '  demo     run a workload against local KMS and OSS emulators while the AccessKey is rotated and revoked',
  '  doctor   check a configuration: settings and their origin, each ClientKey, each KMS source, the',
  '           secret value, optionally OSS access',
  ...DOCTOR_OPTIONS.map((line) => `             ${line}`),
  '  credential-process',
  '           print the secret\'s AccessKey as JSON for other tools (an External credential process of the',
  '           aliyun CLI and @alicloud/credentials profiles)',
  ...CREDENTIAL_PROCESS_OPTIONS.map((line) => `             ${line}`),
  '  help     this text (also -h, --help; "<command> --help" for one command)',
  '',
  'exit codes: 0 ok, 1 a check failed (the demo saw errors, credential-process could not fetch the secret),',
  '            2 usage or configuration error, 3 doctor: works through failover only',
].join('\n');

const DEMO_USAGE = [
  'usage: ali-oss-managed-credentials demo',
  '',
  'Runs a workload through ProxyBucket against local KMS and OSS emulators while the AccessKey is rotated',
  'and revoked, then prints a summary. Takes no options. Exit code 0 when the workload saw no error, else 1.',
].join('\n');

/**
 * Runs one CLI command and resolves with its exit code (0 ok, 1 a check failed, 2 usage or configuration
 * error). Never calls `process.exit`: the process ends on its own once everything is closed.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      if (rest.length === 1 && isHelpFlag(rest[0])) {
        environment.stdout.write(`${DEMO_USAGE}\n`);
        return EXIT_OK;
      }
      if (rest.length > 0) return usageError(environment, `demo takes no arguments, got ${rest.join(' ')}`);
      const result = await runDemo({ output: createCliOutput(environment.stdout, environment.env) });
      return result.exitCode;
    }
    case 'doctor':
      return runDoctorCommand(rest, environment);
    case 'credential-process':
      return runCredentialProcessCommand(rest, environment);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      environment.stdout.write(`${CLI_USAGE}\n`);
      return EXIT_OK;
    default:
      return usageError(environment, `unknown command "${command}"`);
  }
}

function usageError(environment: CliEnvironment, message: string): number {
  environment.stderr.write(`error: ${message}\n\n${CLI_USAGE}\n`);
  return EXIT_USAGE;
}
