import { createCliOutput, type TextSink } from './cli-output.js';
import { runDemo } from './demo/run-demo.js';
import { runDoctorCommand } from './doctor/run-doctor-command.js';
import { EXIT_USAGE } from './exit-codes.js';

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
  '  doctor   check a configuration: settings and their origin, each KMS source, optionally OSS access',
  '             --config FILE       properties file (default: the usual lookup)',
  '             --secret NAME       secret to fetch (default: the first of secret_names)',
  '             --bucket B --endpoint E [--region R]   also check OSS access with this bucket',
  '             --oss-timeout MS    how long the OSS check waits for an answer (default 10000)',
  '             --json              machine-readable output',
  '  help     this text',
  '',
  'exit codes: 0 ok, 1 a check failed (or the demo saw errors), 2 usage or configuration error',
].join('\n');

/**
 * Runs one CLI command and resolves with its exit code (0 ok, 1 a check failed, 2 usage or configuration
 * error). Never calls `process.exit`: the process ends on its own once everything is closed.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      if (rest.length > 0) return usageError(environment, `demo takes no arguments, got ${rest.join(' ')}`);
      const result = await runDemo({ output: createCliOutput(environment.stdout, environment.env) });
      return result.exitCode;
    }
    case 'doctor':
      return runDoctorCommand(rest, environment);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      environment.stdout.write(`${CLI_USAGE}\n`);
      return 0;
    default:
      return usageError(environment, `unknown command "${command}"`);
  }
}

function usageError(environment: CliEnvironment, message: string): number {
  environment.stderr.write(`error: ${message}\n\n${CLI_USAGE}\n`);
  return EXIT_USAGE;
}
