/** Where a setting may come from, in increasing precedence: the properties file, the environment, code. */
export type ConfigSource = 'file' | 'env' | 'code';

/** How a key's value is parsed. */
export type ConfigValueType =
  | 'string'
  | 'enum'
  | 'path'
  | 'env-var-name'
  | 'string-list'
  | 'json-array'
  | 'duration-ms'
  | 'count';

/** One row of the configuration table: everything parsing, validation, the README and the CLI need. */
export interface ConfigKeySpec {
  /** The key, identical in the properties file, the environment and the options object. */
  readonly name: string;
  /** How the value is parsed. */
  readonly type: ConfigValueType;
  /** The default in the key's own unit (ms for durations), when there is one. */
  readonly defaultValue?: number;
  /** Smallest accepted value for numeric keys. */
  readonly min?: number;
  /** Largest accepted value for numeric keys (default: the largest safe integer). */
  readonly max?: number;
  /** Allowed values of `enum` keys. */
  readonly values?: readonly string[];
  /** One-sentence documentation. */
  readonly description: string;
  /** Whether the value is a secret (never shown, logged or put into an error). */
  readonly secret: boolean;
  /** Where the key is accepted. */
  readonly sources: readonly ConfigSource[];
  /** Accepted for compatibility with the official providers but not used; produces a warning. */
  readonly ignored?: boolean;
  /** Why an `ignored` key is ignored, for its warning (default: read by the official providers only). */
  readonly ignoredReason?: string;
  /**
   * Which configurations read the key: `all`, `agent` (the KMS Agent), `dkms` (KMS instance entries with a ClientKey), `openapi` (the
   * KMS OpenAPI regions, whatever their RAM identity), or the `credentials_type` values (RAM identities of the
   * OpenAPI path) that read it. Empty for ignored keys. Drives the README's "Used by" column and the
   * "not used by credentials_type" warnings.
   */
  readonly usedBy: readonly ConfigKeyUser[];
}

/** The `credentials_type` values accepted (`token` is the official providers' undocumented alias of `ak`). */
export const CREDENTIALS_TYPES = ['ak', 'token', 'sts', 'ram_role', 'ecs_ram_role', 'client_key', 'oidc_role_arn'] as const;

/** One `credentials_type` value. */
export type CredentialsType = (typeof CREDENTIALS_TYPES)[number];

/** An entry of {@link ConfigKeySpec.usedBy}. */
export type ConfigKeyUser = 'all' | 'agent' | 'dkms' | 'openapi' | CredentialsType;

/** One field of an object in a JSON-array key, for documentation and typo detection. */
export interface ConfigJsonFieldSpec {
  /** Field name as written in the JSON. */
  readonly name: string;
  /** JSON type accepted. */
  readonly type: 'string' | 'boolean' | 'integer (ms)' | 'path';
  /** Whether the entry is invalid without it. */
  readonly required: boolean;
  /** The default, as documentation text. */
  readonly defaultText?: string;
  /** The default of a numeric field (ms for durations), used by the configuration and shown in the README. */
  readonly defaultValue?: number;
  /** One-sentence documentation. */
  readonly description: string;
}

const ALL_SOURCES: readonly ConfigSource[] = ['file', 'env', 'code'];
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** `credentials_type` itself concerns every RAM identity. */
const RAM_AUTH_KINDS: readonly ConfigKeyUser[] = CREDENTIALS_TYPES;

/**
 * The configuration table: every key this library reads, in documentation order. It drives parsing,
 * validation, unknown-key warnings, {@link renderConfigTableMarkdown} and the CLI.
 */
export const CONFIG_KEYS = [
  {
    name: 'cache_client_kms_agent_config_info',
    type: 'json-array',
    description:
      'KMS Agents (the official agent on the host, or its sidecar in the pod) to read secrets from, before the DKMS instances and regions: a JSON array of objects (fields below). Plain HTTP to a loopback address.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['agent'],
  },
  {
    name: 'cache_client_dkms_config_info',
    type: 'json-array',
    description:
      'KMS instances (DKMS) to read secrets from, in order of preference: a JSON array of objects (fields below).',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['dkms'],
  },
  {
    name: 'cache_client_region_id',
    type: 'json-array',
    description:
      'KMS OpenAPI regions (shared gateway or instance gateway) to read secrets from, after the DKMS instances: a JSON array of objects (fields below). Needs RAM credentials (`credentials_type`).',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['openapi'],
  },
  {
    name: 'credentials_type',
    type: 'enum',
    values: CREDENTIALS_TYPES,
    description:
      'RAM identity for `cache_client_region_id`: `ak`, `sts`/`ram_role`, `ecs_ram_role` or `oidc_role_arn`. Unset: the Alibaba Cloud default credential chain. `client_key` is accepted for compatibility but the KMS OpenAPI cannot sign with it: put the ClientKey in a `cache_client_dkms_config_info` entry instead.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: RAM_AUTH_KINDS,
  },
  {
    name: 'credentials_access_key_id',
    type: 'string',
    description: 'AccessKey id for `ak`, `sts` and `ram_role`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['ak', 'sts', 'ram_role'],
  },
  {
    name: 'credentials_access_secret',
    type: 'string',
    description: 'AccessKey secret for `ak`, `sts` and `ram_role`.',
    secret: true,
    sources: ALL_SOURCES,
    usedBy: ['ak', 'sts', 'ram_role'],
  },
  {
    name: 'credentials_access_token_id',
    type: 'string',
    description: 'AccessKey id for the legacy type `token` (same as `ak`).',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['token'],
  },
  {
    name: 'credentials_access_token',
    type: 'string',
    description: 'AccessKey secret for the legacy type `token` (same as `ak`).',
    secret: true,
    sources: ALL_SOURCES,
    usedBy: ['token'],
  },
  {
    name: 'credentials_role_arn',
    type: 'string',
    description: 'RAM role ARN for `sts`/`ram_role` (required) and `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['sts', 'ram_role', 'oidc_role_arn'],
  },
  {
    name: 'credentials_role_session_name',
    type: 'string',
    description: 'Role session name for `sts`/`ram_role` (required) and `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['sts', 'ram_role', 'oidc_role_arn'],
  },
  {
    name: 'credentials_policy',
    type: 'string',
    description: 'Optional session policy (JSON text) for `sts`/`ram_role` and `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['sts', 'ram_role', 'oidc_role_arn'],
  },
  {
    name: 'credentials_duration_seconds',
    type: 'count',
    min: 900,
    description: 'Optional role session duration in seconds (STS unit) for `sts`/`ram_role` and `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['sts', 'ram_role', 'oidc_role_arn'],
  },
  {
    name: 'credentials_sts_endpoint',
    type: 'string',
    description: 'Optional STS endpoint for `sts`/`ram_role` and `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['sts', 'ram_role', 'oidc_role_arn'],
  },
  {
    name: 'credentials_sts_region_id',
    type: 'string',
    description: 'Optional STS region for `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['oidc_role_arn'],
  },
  {
    name: 'credentials_role_name',
    type: 'string',
    description: 'ECS instance RAM role name for `ecs_ram_role` (optional: the metadata service names it).',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['ecs_ram_role'],
  },
  {
    name: 'credentials_oidc_provider_arn',
    type: 'string',
    description: 'OIDC provider ARN for `oidc_role_arn`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['oidc_role_arn'],
  },
  {
    name: 'credentials_oidc_token_file_path',
    type: 'path',
    description: 'OIDC token file for `oidc_role_arn`; must exist.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['oidc_role_arn'],
  },
  {
    name: 'client_key_private_key_path',
    type: 'path',
    description: 'ClientKey JSON file for `credentials_type=client_key`; must exist.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['client_key'],
  },
  {
    name: 'client_key_password_from_file_path',
    type: 'path',
    description:
      'File holding the ClientKey password (surrounding whitespace and newlines are trimmed); fallback for every DKMS entry.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['dkms', 'client_key'],
  },
  {
    name: 'client_key_password_from_env_variable',
    type: 'env-var-name',
    description: 'NAME of an environment variable holding the ClientKey password; fallback for every DKMS entry.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['dkms', 'client_key'],
  },
  {
    name: 'client_key_password',
    type: 'string',
    description: 'The ClientKey password itself; last fallback. Environment or code only, never the file.',
    secret: true,
    sources: ['env', 'code'],
    usedBy: ['dkms', 'client_key'],
  },
  {
    name: 'secret_names',
    type: 'string-list',
    description: 'Comma-separated secret names to fetch at start, so the first request finds them cached.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'rotation_interval',
    type: 'duration-ms',
    defaultValue: 6 * HOUR_MS,
    min: 1000,
    description:
      'Refresh interval (ms) for a rotating RAM secret when its NextRotationDate is not within this interval; also the cap.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'delay_interval',
    type: 'duration-ms',
    defaultValue: 5 * MINUTE_MS,
    min: 0,
    description: 'Delay (ms) after NextRotationDate before refreshing, so KMS has the new key.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'refresh_jitter_max',
    type: 'duration-ms',
    defaultValue: 10 * MINUTE_MS,
    min: 0,
    description: 'Upper bound (ms) of the random delay added to every scheduled refresh, drawn anew each time.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'default_refresh_interval',
    type: 'duration-ms',
    defaultValue: HOUR_MS,
    min: 1000,
    description:
      'Refresh interval (ms) of secrets that are not managed RAM AccessKeys (a generic secret holding an AccessKey JSON, say) and whose value has no `RefreshInterval`. A managed RAM AccessKey secret follows `rotation_interval` and its `NextRotationDate`, whether its automatic rotation is on or off; a credential with `ExpireTimestamp` is also refreshed ahead of that.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'refresh_backoff_base',
    type: 'duration-ms',
    defaultValue: 2000,
    min: 1,
    description: 'First retry delay (ms) after a failed refresh; doubles per failure (full jitter).',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'refresh_backoff_cap',
    type: 'duration-ms',
    defaultValue: 10 * MINUTE_MS,
    min: 1,
    description: 'Largest retry delay (ms) after failed refreshes; not less than `refresh_backoff_base`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'max_staleness',
    type: 'duration-ms',
    defaultValue: 0,
    min: 0,
    description:
      'How long (ms) the last good key is served while refreshes fail; after that requests fail fast. 0 = no limit.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'recovery_min_interval',
    type: 'duration-ms',
    defaultValue: 1000,
    min: 0,
    max: MINUTE_MS,
    description:
      'After OSS rejected the key KMS still serves: no KMS call for the secret sooner than this (ms) after its last answer. The first report of a rejected key is acted on at once.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'recovery_backoff_cap',
    type: 'duration-ms',
    defaultValue: 30_000,
    min: 1000,
    max: 10 * MINUTE_MS,
    description:
      'Largest wait (ms) between KMS calls while KMS keeps serving a rejected key; the wait grows from about 1 s (full jitter). Recovery is paced by it, never locked out.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'forced_refresh_capacity',
    type: 'count',
    defaultValue: 5,
    min: 0,
    description: 'No longer used (was a budget of forced refreshes); see `recovery_min_interval`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: [],
    ignored: true,
    ignoredReason: 'no longer used: recovery after a rejected key is paced by recovery_min_interval and recovery_backoff_cap, never locked out by a budget',
  },
  {
    name: 'forced_refresh_interval',
    type: 'duration-ms',
    defaultValue: 10 * MINUTE_MS,
    min: 1,
    description: 'No longer used (was the window of the forced-refresh budget); see `recovery_backoff_cap`.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: [],
    ignored: true,
    ignoredReason: 'no longer used: recovery after a rejected key is paced by recovery_min_interval and recovery_backoff_cap, never locked out by a budget',
  },
  {
    name: 'fetch_timeout',
    type: 'duration-ms',
    defaultValue: 30_000,
    min: 1000,
    max: 10 * MINUTE_MS,
    description:
      'Deadline (ms) of one fetch of a secret across all sources, retries and failover: at most this long a caller waits for KMS; then the fetch fails with the retryable `Kms.FetchTimeout` naming what each source met. The connect and read timeouts of each source still apply within it.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: ['all'],
  },
  {
    name: 'monitor_period_milliseconds',
    type: 'duration-ms',
    min: 0,
    description: 'Official providers only (AccessKey age monitor); ignored here: the refresh schedule covers it.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: [],
    ignored: true,
  },
  {
    name: 'monitor_customer_milliseconds',
    type: 'duration-ms',
    min: 0,
    description: 'Official providers only (monitor log drain); ignored here: use the cache events.',
    secret: false,
    sources: ALL_SOURCES,
    usedBy: [],
    ignored: true,
  },
] as const satisfies readonly ConfigKeySpec[];

/** The name of a configuration key. */
export type ConfigKeyName = (typeof CONFIG_KEYS)[number]['name'];

const KEYS_BY_NAME: ReadonlyMap<string, ConfigKeySpec> = new Map(CONFIG_KEYS.map((spec) => [spec.name, spec]));

/**
 * The numeric default of a field of a JSON-array key's entries (e.g. a DKMS entry's `connectTimeout`).
 * @throws Error if the field has none (a programming error)
 */
export function entryFieldDefault(fields: readonly ConfigJsonFieldSpec[], name: string): number {
  const value = fields.find((field) => field.name === name)?.defaultValue;
  if (value === undefined) throw new Error(`the configuration field table has no default for ${name}`);
  return value;
}

/** The table row of `name`, or `undefined` for an unknown key. */
export function configKeySpec(name: string): ConfigKeySpec | undefined {
  return KEYS_BY_NAME.get(name);
}

/** Fields of a `cache_client_dkms_config_info` entry. */
export const DKMS_ENTRY_FIELDS: readonly ConfigJsonFieldSpec[] = [
  { name: 'regionId', type: 'string', required: true, description: 'Region of the KMS instance.' },
  {
    name: 'endpoint',
    type: 'string',
    required: true,
    description: 'Instance host[:port], e.g. `kst-xxx.cryptoservice.kms.aliyuncs.com` (a leading `https://` is dropped).',
  },
  { name: 'clientKeyFile', type: 'path', required: true, description: 'ClientKey JSON file; must exist.' },
  {
    name: 'passwordFromFilePath',
    type: 'path',
    required: false,
    description: 'File holding the ClientKey password (trimmed); tried first.',
  },
  {
    name: 'passwordFromEnvVariable',
    type: 'string',
    required: false,
    description: 'NAME of an environment variable holding the ClientKey password; tried second.',
  },
  {
    name: 'passwordFromFilePathName',
    type: 'string',
    required: false,
    description:
      'NAME of a property whose value is the path of the ClientKey password file, e.g. `client_key_password_from_file_path` (as in the official providers\' samples); tried third.',
  },
  {
    name: 'caFilePath',
    type: 'path',
    required: false,
    description: "PEM CA bundle for the instance's private CA; must exist.",
  },
  {
    name: 'caCert',
    type: 'path',
    required: false,
    description: 'The Go provider\'s name for `caFilePath` (a path); both may be set only to the same file.',
  },
  {
    name: 'ignoreSslCerts',
    type: 'boolean',
    required: false,
    defaultText: 'false',
    description: 'Skip TLS certificate verification (never in production; warned about).',
  },
  {
    name: 'connectTimeout',
    type: 'integer (ms)',
    required: false,
    defaultValue: 5000,
    description: 'Connect timeout (ms): TCP and TLS handshake with the instance.',
  },
  {
    name: 'readTimeout',
    type: 'integer (ms)',
    required: false,
    defaultValue: 10_000,
    description: 'Read timeout (ms): budget of one whole request, from connecting to the last byte of the answer.',
  },
];

/** Fields of a `cache_client_kms_agent_config_info` entry. */
export const KMS_AGENT_ENTRY_FIELDS: readonly ConfigJsonFieldSpec[] = [
  {
    name: 'endpoint',
    type: 'string',
    required: false,
    defaultText: '`127.0.0.1:2025`',
    description: 'host:port of the agent (an optional `http://` is dropped); a loopback address unless `allowNonLoopback`.',
  },
  {
    name: 'tokenFromFilePath',
    type: 'path',
    required: false,
    description: 'File holding the `X-KMS-Token` (read at every request, so a rewritten file is picked up).',
  },
  {
    name: 'tokenFromEnvVariable',
    type: 'string',
    required: false,
    description:
      'NAME of an environment variable holding the token (or `file://<path>`). Neither set: `KMS_TOKEN`, `KMS_SESSION_TOKEN`, `KMS_CONTAINER_AUTHORIZATION_TOKEN`, then the file `/var/run/kmstoken`, as the agent itself.',
  },
  {
    name: 'allowNonLoopback',
    type: 'boolean',
    required: false,
    defaultText: 'false',
    description: 'Accept an endpoint that is not a loopback address (the token and secrets then cross the network in plain HTTP; warned about).',
  },
  {
    name: 'readTimeout',
    type: 'integer (ms)',
    required: false,
    defaultValue: 5000,
    description: 'Budget of one request to the agent (ms), from connecting to the last byte of the answer.',
  },
];

/** Fields of a `cache_client_region_id` entry. */
export const REGION_ENTRY_FIELDS: readonly ConfigJsonFieldSpec[] = [
  { name: 'regionId', type: 'string', required: true, description: 'Region, e.g. `cn-hangzhou`.' },
  {
    name: 'endpoint',
    type: 'string',
    required: false,
    defaultText: '`kms.<regionId>.aliyuncs.com`',
    description: 'Custom host[:port], e.g. an instance gateway `kst-xxx.cryptoservice.kms.aliyuncs.com`.',
  },
  {
    name: 'vpc',
    type: 'boolean',
    required: false,
    defaultText: 'false',
    description: 'Use the VPC endpoint `kms-vpc.<regionId>.aliyuncs.com` (when no `endpoint`).',
  },
  { name: 'caFilePath', type: 'path', required: false, description: 'PEM CA bundle for the endpoint; must exist.' },
];

/**
 * Fields of a DKMS entry that the official providers accept (inherited from their DKMS SDK config) but this
 * library does not use; they produce a warning instead of an unknown-field warning.
 */
export const IGNORED_DKMS_FIELDS: readonly string[] = [
  'password',
  'protocol',
  'clientKeyContent',
  'accessKeyId',
  'privateKey',
  'type',
  'userAgent',
  'ignoreSSL',
  'httpProxy',
  'httpsProxy',
  'noProxy',
  'maxIdleConns',
  'socks5Proxy',
  'socks5NetWork',
  'ca',
];
