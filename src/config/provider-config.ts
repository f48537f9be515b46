import type { ConfigSource } from './config-keys.js';
import type { RamCredentialsConfig } from './ram-credentials-config.js';

/**
 * One KMS instance (DKMS) from `cache_client_dkms_config_info`.
 *
 * `password` is a non-enumerable getter: read it as `instance.password`; it is left out of
 * `JSON.stringify`, `util.inspect`, object spread and `structuredClone`.
 */
export interface DkmsInstanceConfig {
  /** Region of the instance. */
  readonly regionId: string;
  /** `host` or `host:port` of the instance (no scheme). */
  readonly endpoint: string;
  /** Absolute path of the ClientKey JSON file (exists; not parsed here). */
  readonly clientKeyFile: string;
  /** The resolved ClientKey password. Secret; non-enumerable. */
  readonly password: string;
  /** Where the password came from, e.g. `passwordFromFilePath (/etc/kms/pw.txt)` or `env MY_PWD`. */
  readonly passwordSource: string;
  /** Skip TLS certificate verification (a warning is recorded when true). */
  readonly ignoreSslCerts: boolean;
  /** Absolute path of the PEM CA bundle for the instance's private CA. */
  readonly caFilePath?: string;
  /** Connect timeout in ms. */
  readonly connectTimeoutMs?: number;
  /** Read timeout in ms. */
  readonly readTimeoutMs?: number;
}

/** One KMS Agent from `cache_client_kms_agent_config_info`. Holds no secret: the token is read at each request. */
export interface KmsAgentConfig {
  /** `host:port` of the agent (no scheme). */
  readonly endpoint: string;
  /** File holding the token, absolute. */
  readonly tokenFromFilePath?: string;
  /** Name of the environment variable holding the token (or `file://<path>`). */
  readonly tokenFromEnvVariable?: string;
  /** The endpoint may be a non-loopback address (a warning is recorded when it is). */
  readonly allowNonLoopback: boolean;
  /** Budget of one request, ms. */
  readonly readTimeoutMs: number;
}

/** One KMS OpenAPI region from `cache_client_region_id`. */
export interface RegionConfig {
  /** Region, e.g. `cn-hangzhou`. */
  readonly regionId: string;
  /** Custom `host[:port]` (no scheme); unset means the public (or VPC) endpoint of the region. */
  readonly endpoint?: string;
  /** Use the VPC endpoint when no custom endpoint is given. */
  readonly vpc: boolean;
  /** Absolute path of the PEM CA bundle for the endpoint. */
  readonly caFilePath?: string;
}

/** Cache and refresh-schedule settings, all durations in ms. */
export interface CacheSettings {
  /** `rotation_interval`. */
  readonly rotationIntervalMs: number;
  /** `delay_interval`. */
  readonly delayIntervalMs: number;
  /** `refresh_jitter_max`. */
  readonly refreshJitterMaxMs: number;
  /** `default_refresh_interval`: TTL of secrets that are not managed RAM AccessKeys and carry no `RefreshInterval`. */
  readonly defaultRefreshIntervalMs: number;
  /** `refresh_backoff_base`. */
  readonly refreshBackoffBaseMs: number;
  /** `refresh_backoff_cap` (>= base). */
  readonly refreshBackoffCapMs: number;
  /** `max_staleness`; 0 means no limit. */
  readonly maxStalenessMs: number;
  /** `recovery_min_interval`: least time between KMS calls while KMS keeps serving a rejected key. */
  readonly recoveryMinIntervalMs: number;
  /** `recovery_backoff_cap`: largest wait between those calls. */
  readonly recoveryBackoffCapMs: number;
  /** `fetch_timeout`: the deadline of one fetch of a secret across all sources, retries and failover. */
  readonly fetchTimeoutMs: number;
}

/** A problem that does not stop loading (unknown key, ignored field, insecure setting). */
export interface ConfigWarning {
  /** Stable code, e.g. `UnknownKey`, `IgnoredKey`, `InsecureTls`. */
  readonly code: string;
  /** The key concerned. */
  readonly key?: string;
  /** The JSON entry concerned. */
  readonly index?: number;
  /** The JSON field concerned (for `UnknownField`: the name as written). */
  readonly field?: string;
  /** For `UnknownKey`, `UnknownField` and `EnvKeyCase`: the known name it is probably meant as. */
  readonly suggestion?: string;
  /** For a key of the properties file: the 1-based line where it starts. */
  readonly line?: number;
  /** Names keys and files, never values. */
  readonly message: string;
}

/** Where a setting's value came from: one of the sources, or the built-in default. */
export type ConfigOrigin = ConfigSource | 'default';

/**
 * The validated, typed, redacted provider configuration produced by `ConfigLoader.load()`.
 * Deeply frozen. Secrets (`password`, `accessKeySecret`) are non-enumerable getters, so
 * `JSON.stringify(config)` and `util.inspect(config)` never show them; read them by property access.
 */
export interface ProviderConfig {
  /** KMS Agents, in configuration order (tried before the instances and regions). */
  readonly kmsAgents: readonly KmsAgentConfig[];
  /** KMS instances, in configuration order. */
  readonly dkmsInstances: readonly DkmsInstanceConfig[];
  /** KMS OpenAPI regions, in configuration order (tried after the instances). */
  readonly regions: readonly RegionConfig[];
  /** RAM identity for the regions; `undefined` when there are no regions. */
  readonly credentials?: RamCredentialsConfig;
  /** Cache settings (defaults filled in). */
  readonly cache: CacheSettings;
  /** Secrets to prefetch at start (`secret_names`), de-duplicated. */
  readonly secretNames: readonly string[];
  /** Absolute path of the properties file that was read, if one was. */
  readonly configFile?: string;
  /** For each key that has a value (set or defaulted): where it came from. */
  readonly origins: Readonly<Record<string, ConfigOrigin>>;
  /** Non-fatal problems, for logs and the doctor CLI. */
  readonly warnings: readonly ConfigWarning[];
}
