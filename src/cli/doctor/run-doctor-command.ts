import { parseArgs } from 'node:util';
import { createCliOutput } from '../cli-output.js';
import { EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { isHelpFlag } from '../is-help-flag.js';
import type { CliEnvironment } from '../run-cli.js';
import { createStyle } from '../style.js';
import { DOCTOR_SYNOPSIS, DOCTOR_USAGE } from './doctor-usage.js';
import { renderDoctorReport } from './render-doctor-report.js';
import { runDoctor, type DoctorInput } from './run-doctor.js';

/**
 * `doctor [--config FILE] [--secret NAME] [--bucket B --endpoint E [--region R] [--oss-timeout MS]] [--json]`:
 * parses the arguments, runs {@link runDoctor} and prints the report (text, or one JSON object with
 * `--json`). `-h`/`--help` prints the usage.
 *
 * @returns 0 ok, 1 a check failed, 2 usage or configuration error
 */
export async function runDoctorCommand(args: readonly string[], environment: CliEnvironment): Promise<number> {
  let values: {
    config?: string;
    secret?: string;
    bucket?: string;
    endpoint?: string;
    region?: string;
    'oss-timeout'?: string;
    json?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        secret: { type: 'string' },
        bucket: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'oss-timeout': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // Asking for help wins over any other mistake on the same line.
    if (args.some(isHelpFlag)) return printUsage(environment);
    // Node's message goes on about positional arguments, which doctor has none of: keep its first sentence.
    return usageError(environment, (error as Error).message.split(/\.(?:\s|$)/)[0] ?? String(error));
  }
  if (values.help === true) return printUsage(environment);
  if ((values.bucket === undefined) !== (values.endpoint === undefined)) {
    return usageError(environment, '--bucket and --endpoint go together (the OSS check needs both)');
  }
  let ossTimeoutMs: number | undefined;
  if (values['oss-timeout'] !== undefined) {
    ossTimeoutMs = Number(values['oss-timeout']);
    if (!/^\d+$/.test(values['oss-timeout']) || ossTimeoutMs < 1 || ossTimeoutMs > 2_147_483_647) {
      return usageError(environment, `--oss-timeout takes a whole number of milliseconds (1 or more), got "${values['oss-timeout']}"`);
    }
  }
  const input: DoctorInput = {
    env: environment.env,
    ...(environment.cwd === undefined ? {} : { cwd: environment.cwd }),
    ...(values.config === undefined ? {} : { configFile: values.config }),
    ...(values.secret === undefined ? {} : { secretName: values.secret }),
    ...(values.bucket === undefined ? {} : { bucket: values.bucket }),
    ...(values.endpoint === undefined ? {} : { endpoint: values.endpoint }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(ossTimeoutMs === undefined ? {} : { ossTimeoutMs }),
  };
  const report = await runDoctor(input);
  if (values.json === true) {
    environment.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const output = createCliOutput(environment.stdout, environment.env);
    for (const line of renderDoctorReport(report, createStyle(output.color))) output.line(line);
  }
  return report.exitCode;
}

function printUsage(environment: CliEnvironment): number {
  environment.stdout.write(`${DOCTOR_USAGE}\n`);
  return EXIT_OK;
}

function usageError(environment: CliEnvironment, message: string): number {
  environment.stderr.write(`error: doctor: ${message}\nusage: ${DOCTOR_SYNOPSIS}\n(ali-oss-managed-credentials doctor --help for details)\n`);
  return EXIT_USAGE;
}
