import { ConfigError, ConfigErrorCode } from './config-error.js';
import { CONFIG_KEYS, CREDENTIALS_TYPES, configKeySpec, type ConfigKeyUser } from './config-keys.js';
import type { ConfigSettings } from './config-setting.js';
import { describeValue, expectInteger, expectReadableFile, expectString, WORD_SHAPE } from './config-values.js';
import { defineSecret } from './define-secret.js';
import type { ConfigWarning } from './provider-config.js';
import type { RamCredentialsConfig } from './ram-credentials-config.js';
import { resolveClientKeyPassword } from './resolve-client-key-password.js';
import { topLevelPasswordSteps } from './top-level-password-steps.js';

type Settings = ConfigSettings;

const isCredentialsType = (user: ConfigKeyUser): boolean => (CREDENTIALS_TYPES as readonly string[]).includes(user);

/** The keys each `credentials_type` reads, from the key table's `usedBy` (unset type: the default chain, none). */
const CREDENTIAL_KEYS_BY_TYPE: ReadonlyMap<string, readonly string[]> = new Map(
  CREDENTIALS_TYPES.map((type) => [type, CONFIG_KEYS.filter((spec) => (spec.usedBy as readonly ConfigKeyUser[]).includes(type)).map((spec) => spec.name)]),
);

/**
 * Keys that only matter for the RAM identity: read by credential types alone (the client-key password keys
 * also serve DKMS entries, so they are not among them).
 */
const IDENTITY_ONLY_KEYS: readonly string[] = CONFIG_KEYS.filter(
  (spec) => spec.usedBy.length > 0 && (spec.usedBy as readonly ConfigKeyUser[]).every(isCredentialsType),
).map((spec) => spec.name);

/**
 * The RAM identity of the KMS OpenAPI path (`credentials_type` and its keys), or `undefined` without regions
 * (then set identity keys are warned about as ignored). Keys the chosen type does not read are warned about.
 */
export function readRamCredentials(
  settings: Settings,
  hasRegions: boolean,
  env: Readonly<Record<string, string | undefined>>,
  warnings: ConfigWarning[],
): RamCredentialsConfig | undefined {
  const typeSetting = settings.get('credentials_type');
  let type = 'default';
  if (typeSetting !== undefined) {
    const value = expectString(typeSetting.value, { key: 'credentials_type' }).toLowerCase();
    if (!(CREDENTIALS_TYPES as readonly string[]).includes(value)) {
      throw new ConfigError(
        ConfigErrorCode.UnknownCredentialsType,
        `credentials_type is not supported, got ${describeValue(typeSetting.value, { key: 'credentials_type' }, WORD_SHAPE)}; use one of ${CREDENTIALS_TYPES.join(', ')} ` +
          '(or leave it unset for the default credential chain)',
        { key: 'credentials_type' },
      );
    }
    type = value;
  }

  const setIdentityKeys = IDENTITY_ONLY_KEYS.filter((name) => settings.has(name));
  if (!hasRegions) {
    for (const name of setIdentityKeys) {
      warnings.push({
        code: 'IgnoredKey',
        key: name,
        message: `${name} only applies to cache_client_region_id, which is not set; ignored`,
      });
    }
    return undefined;
  }
  const used = CREDENTIAL_KEYS_BY_TYPE.get(type) ?? [];
  for (const name of setIdentityKeys) {
    if (name !== 'credentials_type' && !used.includes(name)) {
      warnings.push({ code: 'IgnoredKey', key: name, message: `${name} is not used by credentials_type ${type}; ignored` });
    }
  }

  const text = (name: string): string => {
    const setting = settings.get(name);
    if (setting === undefined) {
      throw new ConfigError(ConfigErrorCode.MissingKey, `${name} is required for credentials_type ${type}`, { key: name });
    }
    return expectString(setting.value, { key: name });
  };
  const optionalText = (name: string): string | undefined =>
    settings.has(name) ? text(name) : undefined;
  const optionalInteger = (name: string): number | undefined => {
    const setting = settings.get(name);
    return setting === undefined ? undefined : expectInteger(setting.value, { key: name }, configKeySpec(name)?.min ?? 0, configKeySpec(name)?.max);
  };
  const optionalFile = (name: string): string | undefined => {
    const setting = settings.get(name);
    return setting === undefined ? undefined : expectReadableFile(setting.value, { key: name }, setting.baseDir);
  };
  const compact = <T extends object>(object: T): T =>
    Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

  switch (type) {
    case 'ak':
    case 'token': {
      const [idKey, secretKey] = type === 'ak'
        ? ['credentials_access_key_id', 'credentials_access_secret']
        : ['credentials_access_token_id', 'credentials_access_token'];
      const accessKeyId = text(idKey);
      return defineSecret({ type: 'ak' as const, accessKeyId }, 'accessKeySecret', text(secretKey)) as RamCredentialsConfig;
    }
    case 'sts':
    case 'ram_role': {
      const visible = compact({
        type: type as 'sts' | 'ram_role',
        accessKeyId: text('credentials_access_key_id'),
        roleArn: text('credentials_role_arn'),
        roleSessionName: text('credentials_role_session_name'),
        policy: optionalText('credentials_policy'),
        durationSeconds: optionalInteger('credentials_duration_seconds'),
        stsEndpoint: optionalText('credentials_sts_endpoint'),
      });
      return defineSecret(visible, 'accessKeySecret', text('credentials_access_secret')) as RamCredentialsConfig;
    }
    case 'ecs_ram_role':
      return compact({ type: 'ecs_ram_role' as const, roleName: optionalText('credentials_role_name') });
    case 'client_key': {
      const setting = settings.get('client_key_private_key_path');
      if (setting === undefined) {
        throw new ConfigError(ConfigErrorCode.MissingKey, 'client_key_private_key_path is required for credentials_type client_key', {
          key: 'client_key_private_key_path',
        });
      }
      const privateKeyPath = expectReadableFile(setting.value, { key: setting.key }, setting.baseDir);
      const { password, source } = resolveClientKeyPassword(topLevelPasswordSteps(settings), env, {
        key: 'credentials_type',
      });
      return defineSecret({ type: 'client_key' as const, privateKeyPath, passwordSource: source }, 'password', password) as RamCredentialsConfig;
    }
    case 'oidc_role_arn':
      return compact({
        type: 'oidc_role_arn' as const,
        roleArn: optionalText('credentials_role_arn'),
        oidcProviderArn: optionalText('credentials_oidc_provider_arn'),
        oidcTokenFilePath: optionalFile('credentials_oidc_token_file_path'),
        roleSessionName: optionalText('credentials_role_session_name'),
        policy: optionalText('credentials_policy'),
        durationSeconds: optionalInteger('credentials_duration_seconds'),
        stsRegionId: optionalText('credentials_sts_region_id'),
        stsEndpoint: optionalText('credentials_sts_endpoint'),
      });
    default:
      return { type: 'default' };
  }
}
