/** One request as {@link LocalKms} saw it. Holds no secret: no SecretData, signature, token or AccessKeySecret. */
export interface LocalKmsRequestRecord {
  /** 1-based sequence number. */
  sequence: number;
  /** Server time when the request arrived, epoch ms. */
  atMs: number;
  method: string;
  /** `x-acs-action`, e.g. `GetSecretValue`. */
  action?: string;
  /** `x-acs-version`, e.g. `2016-01-20`. */
  version?: string;
  /** Algorithm from the Authorization header, e.g. `ACS3-HMAC-SHA256`. */
  signatureAlgorithm?: string;
  /** AccessKeyId that signed the request. */
  accessKeyId?: string;
  /** Whether an STS security token was sent. */
  hasSecurityToken: boolean;
  secretName?: string;
  versionStage?: string;
  /** The `FetchExtendedConfig` parameter as sent. */
  fetchExtendedConfig?: string;
  /** The injected fault, if one was applied. */
  fault?: string;
  /** HTTP status of the answer; `0` when the connection was dropped. */
  httpStatus: number;
  /** Error code of the answer, if it failed. */
  errorCode?: string;
}
