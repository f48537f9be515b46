import type { PropertiesFileLocation } from './locate-properties-file.js';

/** What the doctor was doing when an error happened, to make the advice concrete. */
export interface ProblemContext {
  /** The service called: the KMS Agent (`agent`), a KMS instance (`dkms`), the KMS OpenAPI (`openapi`) or OSS. */
  service?: 'agent' | 'dkms' | 'openapi' | 'oss';
  /** The secret being fetched. */
  secretName?: string;
  /** The `SecretType` KMS reported for it, once fetched (e.g. `Generic`, `RAMCredentials`). */
  secretType?: string;
  /** The KMS or OSS endpoint involved, `host[:port]` or a URL. */
  endpoint?: string;
  /** The bucket being checked. */
  bucket?: string;
  /** The time limit of the call that failed, ms, when the doctor set it. */
  timeoutMs?: number;
  /** The properties file of the configuration (configuration problems). */
  propertiesFile?: PropertiesFileLocation;
  /** The environment the configuration was read from (configuration problems). */
  env?: Readonly<Record<string, string | undefined>>;
}
