import type { ConfigOrigin } from '../../config/provider-config.js';

/** A failure as the doctor reports it: a code, a secret-free message, and what to do about it. */
export interface DoctorProblem {
  /** Stable error code, e.g. `ConfigError.MissingKey`, `ConfigError.WrongPassword`, `Kms.NetworkError`. */
  code: string;
  /** The library's message (names keys and files, never values). */
  message: string;
  /** What to do next, in one or two sentences. */
  nextStep: string;
}

/** One effective setting: the key, a display value (secrets redacted) and where it came from. */
export interface DoctorSetting {
  key: string;
  /** Display value; `<redacted>` for secrets, a summary for JSON arrays. */
  value: string;
  origin: ConfigOrigin;
}

/** The fetch of the secret from one configured source. Only metadata: never the value. */
export interface DoctorSourceCheck {
  /** The source's description, e.g. `dkms(kst-xxx..., cn-hangzhou)`. */
  source: string;
  /** `agent` for a KMS Agent, `dkms` for a KMS instance, `openapi` for a region. */
  kind: 'agent' | 'dkms' | 'openapi';
  /**
   * For a KMS Agent, the three steps of reading through it: the agent answered at all (`reachable`), it took
   * the token (`tokenAccepted`), and it served the secret (`secretServed`); `undefined`: not checked, because
   * an earlier step failed (or, for `reachable`, because no token was found to send).
   */
  agentSteps?: { reachable: boolean | undefined; tokenAccepted: boolean | undefined; secretServed: boolean };
  /** The secret was fetched and its value is an AccessKey, parsed as ProxyBucket parses it. */
  ok: boolean;
  /** Why KMS was not asked (the source could not be set up; see its entry in the configuration). */
  skipped?: string;
  /** Time of the one GetSecretValue call, ms. */
  latencyMs?: number;
  versionId?: string;
  versionStages?: string[];
  /** `SecretType` as KMS reported it, e.g. `RAMCredentials` or `Generic`. */
  secretType?: string;
  /** ISO date of the next scheduled rotation, when rotation is on. */
  nextRotationDate?: string;
  /** The AccessKeyId the secret holds (RAM credential secrets). */
  accessKeyId?: string;
  /** Why the check failed: the call, or a value that is not an AccessKey (`SecretData.*`). */
  problem?: DoctorProblem;
}

/** The OSS access check: a GET of an object that does not exist, signed with the secret's key. */
export interface DoctorOssCheck {
  bucket: string;
  endpoint: string;
  /** The object name that was looked up. */
  objectName: string;
  ok: boolean;
  /** What OSS answered, e.g. `404 NoSuchKey` (the key works) or `403 InvalidAccessKeyId`. */
  answer?: string;
  problem?: DoctorProblem;
}

/** Everything `doctor` found; printed as text or, with `--json`, as this object. */
export interface DoctorReport {
  /** `true` when every check passed. */
  ok: boolean;
  /** 0 ok, 1 a check failed, 2 usage or configuration error, 3 works through failover only. */
  exitCode: number;
  /** The properties file the configuration is read from, or was looked for (also when it is broken). */
  configFile?: string;
  /** What named that file: `the --config option`, the environment variable, or `default`. */
  configFileNamedBy?: string;
  /** Whether that file exists; `false` with a loaded configuration means environment variables only. */
  configFileFound?: boolean;
  /** Effective settings in key-table order. */
  settings: DoctorSetting[];
  /** KMS Agents as configured (no token: where it is read from only). */
  kmsAgents: Array<{
    endpoint: string;
    /** Where the token is read from, e.g. `file /var/run/kmstoken` or `the agent's order (KMS_TOKEN, ...)`. */
    tokenFrom: string;
    allowNonLoopback: boolean;
  }>;
  /** KMS instances as configured (no password: its source only). */
  dkmsInstances: Array<{
    regionId: string;
    endpoint: string;
    clientKeyFile: string;
    passwordSource: string;
    caFilePath?: string;
    ignoreSslCerts: boolean;
    /** The ClientKey does not open (e.g. a wrong password): the instance cannot be used. */
    problem?: DoctorProblem;
  }>;
  /** KMS regions as configured. */
  regions: Array<{
    regionId: string;
    endpoint?: string;
    vpc: boolean;
    /** The region's client cannot be set up (e.g. incomplete RAM credentials). */
    problem?: DoctorProblem;
  }>;
  /** Non-fatal configuration problems. */
  warnings: string[];
  /** The configuration could not be loaded (problems of single KMS entries are on the entries). */
  configProblem?: DoctorProblem;
  /** The secret that was fetched. */
  secretName?: string;
  sources: DoctorSourceCheck[];
  /**
   * How many of the configured KMS sources served a usable key, once the secret was fetched. The application
   * reads the secret through the first source that works (failover), so 1 of 2 means it works but without a
   * spare (exit 3), 0 of N that it cannot read the secret (exit 1).
   */
  sourcesWorking?: { working: number; total: number };
  oss?: DoctorOssCheck;
  /** Every failure's next step, in order. */
  nextSteps: string[];
}
