/** The `credential-process` command line in one line. */
export const CREDENTIAL_PROCESS_SYNOPSIS = 'ali-oss-managed-credentials credential-process --secret NAME [--config FILE]';

/** The options of `credential-process`, one per line, indented for the usage texts. */
export const CREDENTIAL_PROCESS_OPTIONS: readonly string[] = [
  '--secret NAME       the managed RAM credential secret to print',
  '--config FILE       properties file (default: ALI_OSS_MANAGED_CREDENTIALS_CONFIG_FILE, else',
  '                    managed_credentials_providers.properties in the working directory)',
];

/** What `credential-process --help` prints. */
export const CREDENTIAL_PROCESS_USAGE = [
  `usage: ${CREDENTIAL_PROCESS_SYNOPSIS}`,
  '',
  'Fetches the secret once, the way the library does (same configuration, same KMS sources and failover),',
  'and prints it as one JSON object on stdout in the format of an External credential process of',
  '@alicloud/credentials and the aliyun CLI:',
  '  {"mode":"AK","access_key_id":"...","access_key_secret":"...","expiration":"2026-01-01T06:05:00Z"}',
  '("mode":"StsToken" with "sts_token" for a secret that holds an STS token). "expiration" is when this',
  'library would refresh the secret next (after the next rotation, or ahead of the token\'s expiry), so a',
  'profile reruns the command only then. Nothing else goes to stdout; warnings and errors go to stderr and',
  'never contain a secret.',
  '',
  'options:',
  ...CREDENTIAL_PROCESS_OPTIONS.map((line) => `  ${line}`),
  '  -h, --help          this text',
  '',
  'exit codes:',
  '  0  the credential was printed',
  '  1  the secret could not be fetched or holds no AccessKey (KMS unreachable, secret missing, ...)',
  '  2  wrong arguments, or a configuration that cannot be used',
].join('\n');
