import type * as CredentialsTypes from '@alicloud/credentials';
import type { CredentialsProvider } from '@alicloud/credentials';
import type { RamCredentialsConfig } from '../../config/ram-credentials-config.js';
import { KmsError, KmsErrorCode } from '../kms-error.js';
import { cjsDefaultExport } from '../../runtime/cjs-default-export.js';
import { loadOpenApiPackages } from './open-api-packages.js';
import { ConfigError, ConfigErrorCode } from '../../config/config-error.js';

type CredentialClass = typeof CredentialsTypes extends { default: infer D } ? (D extends { default: infer E } ? E : D) : never;

/** The `@alicloud/credentials` client that signs OpenAPI calls. */
export type OpenApiCredential = InstanceType<CredentialClass>;

/** Timeouts of the calls a credential makes on its own (STS, ECS metadata), in ms. */
export interface CredentialTimeouts {
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

/**
 * The `@alicloud/credentials` client for a {@link RamCredentialsConfig}: a static AccessKey (`ak`), an
 * AssumeRole session (`sts`/`ram_role`), the ECS instance role (`ecs_ram_role`), an OIDC role
 * (`oidc_role_arn`) or the default credential chain (`default`). Session credentials are cached and
 * renewed by the SDK.
 *
 * A failure to obtain credentials at call time surfaces as a retryable {@link KmsError} with code
 * `Kms.CredentialsUnavailable` (STS and the metadata service are network calls too). `client_key` is rejected:
 * an Application Access Point client key authenticates only to a KMS instance (DKMS); `@alicloud/credentials`
 * has no signer for it (its `rsa_key_pair` type is a different, STS-based mechanism).
 *
 * @param config - the RAM identity
 * @param source - description of the source, for error messages
 * @param timeouts - timeouts of STS and metadata calls
 * @throws ConfigError when the configuration is incomplete or unsupported
 */
export function createOpenApiCredential(
  config: RamCredentialsConfig,
  source: string,
  timeouts: CredentialTimeouts,
): OpenApiCredential {
  let provider: CredentialsProvider;
  try {
    provider = buildProvider(config, timeouts);
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(
      ConfigErrorCode.InvalidCredentials,
      `credentials_type ${config.type} cannot be used: ${safeMessage(cause)}`,
      { key: 'credentials_type' },
      { cause },
    );
  }
  const Credential = cjsDefaultExport<CredentialClass>(loadOpenApiPackages().credentials);
  return new Credential(null, reportingFailures(provider, config.type, source));
}

function buildProvider(config: RamCredentialsConfig, timeouts: CredentialTimeouts): CredentialsProvider {
  const {
    DefaultCredentialsProvider,
    ECSRAMRoleCredentialsProvider,
    OIDCRoleArnCredentialsProvider,
    RAMRoleARNCredentialsProvider,
    StaticAKCredentialsProvider,
  } = loadOpenApiPackages().credentials;
  switch (config.type) {
    case 'ak':
      requireFields(config.type, { credentials_access_key_id: config.accessKeyId, credentials_access_secret: config.accessKeySecret });
      return StaticAKCredentialsProvider.builder().withAccessKeyId(config.accessKeyId).withAccessKeySecret(config.accessKeySecret).build();
    case 'sts':
    case 'ram_role': {
      requireFields(config.type, {
        credentials_access_key_id: config.accessKeyId,
        credentials_access_secret: config.accessKeySecret,
        credentials_role_arn: config.roleArn,
        credentials_role_session_name: config.roleSessionName,
      });
      const base = StaticAKCredentialsProvider.builder()
        .withAccessKeyId(config.accessKeyId)
        .withAccessKeySecret(config.accessKeySecret)
        .build();
      const builder = RAMRoleARNCredentialsProvider.builder()
        .withCredentialsProvider(base)
        .withRoleArn(config.roleArn)
        .withRoleSessionName(config.roleSessionName)
        .withConnectTimeout(timeouts.connectTimeoutMs)
        .withReadTimeout(timeouts.readTimeoutMs);
      if (config.policy !== undefined) builder.withPolicy(config.policy);
      if (config.durationSeconds !== undefined) builder.withDurationSeconds(config.durationSeconds);
      if (config.stsEndpoint !== undefined) builder.withStsEndpoint(config.stsEndpoint);
      return builder.build();
    }
    case 'ecs_ram_role': {
      const builder = ECSRAMRoleCredentialsProvider.builder()
        .withConnectTimeout(timeouts.connectTimeoutMs)
        .withReadTimeout(timeouts.readTimeoutMs)
        // No background refresh timer: the credential is renewed when a call needs it.
        .withAsyncCredentialUpdateEnabled(false);
      if (config.roleName !== undefined) builder.withRoleName(config.roleName);
      return builder.build();
    }
    case 'oidc_role_arn': {
      const builder = OIDCRoleArnCredentialsProvider.builder().withConnectTimeout(timeouts.connectTimeoutMs).withReadTimeout(timeouts.readTimeoutMs);
      if (config.roleArn !== undefined) builder.withRoleArn(config.roleArn);
      if (config.oidcProviderArn !== undefined) builder.withOIDCProviderArn(config.oidcProviderArn);
      if (config.oidcTokenFilePath !== undefined) builder.withOIDCTokenFilePath(config.oidcTokenFilePath);
      if (config.roleSessionName !== undefined) builder.withRoleSessionName(config.roleSessionName);
      if (config.policy !== undefined) builder.withPolicy(config.policy);
      if (config.durationSeconds !== undefined) builder.withDurationSeconds(config.durationSeconds);
      if (config.stsRegionId !== undefined) builder.withStsRegionId(config.stsRegionId);
      if (config.stsEndpoint !== undefined) builder.withStsEndpoint(config.stsEndpoint);
      return builder.build();
    }
    case 'client_key':
      throw new ConfigError(
        ConfigErrorCode.IncompatibleKeys,
        'credentials_type client_key authenticates only to a KMS instance (configure it in cache_client_dkms_config_info); ' +
          'the KMS OpenAPI path (cache_client_region_id) needs a RAM identity: ak, sts/ram_role, ecs_ram_role, oidc_role_arn or the default chain',
        { key: 'credentials_type' },
      );
    case 'default':
      return DefaultCredentialsProvider.builder().build();
  }
}

function requireFields(type: string, fields: Record<string, string | undefined>): void {
  const missing = Object.entries(fields)
    .filter(([, value]) => value === undefined || value === '')
    .map(([key]) => key);
  if (missing.length > 0) {
    throw new ConfigError(ConfigErrorCode.InvalidCredentials, `credentials_type ${type} needs ${missing.join(', ')}`, { key: missing[0] });
  }
}

/** Wraps a provider so that its failures are recognisable (and retryable) KmsErrors. */
function reportingFailures(provider: CredentialsProvider, type: string, source: string): CredentialsProvider {
  return {
    getProviderName: () => provider.getProviderName(),
    async getCredentials() {
      try {
        return await provider.getCredentials();
      } catch (cause) {
        throw new KmsError(`${source}: could not obtain RAM credentials (credentials_type ${type}): ${safeMessage(cause)}`, {
          code: KmsErrorCode.CredentialsUnavailable,
          retryable: true,
          source,
          cause,
        });
      }
    },
  };
}

/**
 * First line of an SDK error message, capped. The SDK's credential errors carry STS / metadata error
 * bodies, never the AccessKeySecret or token it holds.
 */
function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine.length > 300 ? `${firstLine.slice(0, 300)}…` : firstLine;
}
