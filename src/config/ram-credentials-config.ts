/**
 * How to authenticate to the KMS OpenAPI (shared gateway or instance gateway) with a RAM identity,
 * as selected by `credentials_type` and its `credentials_*` keys. Secret fields must never be logged.
 *
 * In a config from `ConfigLoader.load()`, the secret fields (`accessKeySecret`, `password`) are
 * non-enumerable getters: read them by property access; spread, `JSON.stringify` and `util.inspect` leave
 * them out. The legacy `credentials_type=token` is loaded as `ak`.
 */
export type RamCredentialsConfig =
  | { type: 'ak'; accessKeyId: string; accessKeySecret: string }
  | {
      type: 'sts' | 'ram_role';
      accessKeyId: string;
      accessKeySecret: string;
      roleArn: string;
      roleSessionName: string;
      policy?: string;
      durationSeconds?: number;
      stsEndpoint?: string;
    }
  | { type: 'ecs_ram_role'; roleName?: string }
  | {
      /** RSA key-pair credential from an Application Access Point client key. */
      type: 'client_key';
      /** Absolute path of the ClientKey JSON file. */
      privateKeyPath: string;
      /** The resolved ClientKey password. Secret. */
      password: string;
      /** Where the password came from (e.g. `env client_key_password`), never the password. */
      passwordSource?: string;
    }
  | {
      type: 'oidc_role_arn';
      roleArn?: string;
      oidcProviderArn?: string;
      oidcTokenFilePath?: string;
      roleSessionName?: string;
      policy?: string;
      durationSeconds?: number;
      stsRegionId?: string;
      stsEndpoint?: string;
    }
  | {
      /** No `credentials_type`: the Alibaba Cloud default credential chain (env, profile, ECS role, OIDC...). */
      type: 'default';
    };
