/** The `doctor` command line in one line. */
export const DOCTOR_SYNOPSIS =
  'ali-oss-managed-credentials doctor [--config FILE] [--secret NAME] [--bucket B --endpoint E [--region R] [--oss-timeout MS]] [--json]';

/** The options of `doctor`, one per line, indented for the usage texts. */
export const DOCTOR_OPTIONS: readonly string[] = [
  '--config FILE       properties file (default: ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE, else',
  '                    managed_credentials_providers.properties in the working directory)',
  '--secret NAME       secret to fetch (default: the first of secret_names)',
  '--bucket B --endpoint E [--region R]',
  '                    also check that OSS accepts the key, with this bucket and endpoint',
  '--oss-timeout MS    how long the OSS check waits for an answer (default 10000)',
  '--json              machine-readable output',
];

/** What `doctor --help` prints. */
export const DOCTOR_USAGE = [
  `usage: ${DOCTOR_SYNOPSIS}`,
  '',
  'Checks a configuration the way the library uses it: loads it, opens each ClientKey, fetches the secret',
  'once from each KMS source and checks that its value is an AccessKey, then (with --bucket and --endpoint)',
  'that OSS accepts that key. Every failure comes with a next step. Never prints a secret.',
  '',
  'options:',
  ...DOCTOR_OPTIONS.map((line) => `  ${line}`),
  '  -h, --help          this text',
  '',
  'exit codes:',
  '  0  every check passed',
  '  1  the application would fail: no KMS source serves the secret as an AccessKey, or OSS refuses it',
  '  2  wrong arguments, or a configuration that cannot be used',
  '  3  the application works through failover, but not every KMS source does ("works through N of M"):',
  '     it reads the secret through the first source that works; fix the others to get the spare back',
].join('\n');
