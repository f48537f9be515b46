import {
  CONFIG_KEYS,
  CREDENTIALS_TYPES,
  DKMS_ENTRY_FIELDS,
  KMS_AGENT_ENTRY_FIELDS,
  REGION_ENTRY_FIELDS,
  type ConfigJsonFieldSpec,
  type ConfigKeySpec,
  type ConfigKeyUser,
} from './config-keys.js';

/**
 * The README's configuration reference as Markdown, generated from the key table: one table of keys
 * (name, type, default, secret, sources, which configurations use it, description) and one table per
 * JSON-array key's entry fields.
 */
export function renderConfigTableMarkdown(): string {
  const lines = [
    '| Key | Type | Default | Secret | Sources | Used by | Description |',
    '|---|---|---|---|---|---|---|',
    ...CONFIG_KEYS.map((spec: ConfigKeySpec) =>
      row([
        `\`${spec.name}\``,
        describeType(spec),
        spec.defaultValue === undefined ? '' : `\`${spec.defaultValue}\``,
        spec.secret ? 'yes' : '',
        spec.sources.join(', '),
        describeUsedBy(spec.usedBy),
        spec.description,
      ]),
    ),
    '',
    'Fields of each `cache_client_dkms_config_info` entry:',
    '',
    ...fieldTable(DKMS_ENTRY_FIELDS),
    '',
    'Fields of each `cache_client_region_id` entry:',
    '',
    ...fieldTable(REGION_ENTRY_FIELDS),
    '',
    'Fields of each `cache_client_kms_agent_config_info` entry:',
    '',
    ...fieldTable(KMS_AGENT_ENTRY_FIELDS),
  ];
  return `${lines.join('\n')}\n`;
}

function describeType(spec: ConfigKeySpec): string {
  switch (spec.type) {
    case 'enum':
      return `one of ${(spec.values ?? []).map((value) => `\`${value}\``).join(', ')}`;
    case 'duration-ms':
      return `integer (ms)${describeRange(spec)}`;
    case 'count':
      return `integer${describeRange(spec)}`;
    case 'json-array':
      return 'JSON array';
    case 'string-list':
      return 'comma-separated list';
    case 'env-var-name':
      return 'env var name';
    default:
      return spec.type;
  }
}

/**
 * `all`, `DKMS`, `OpenAPI`, `OpenAPI: sts, ram_role` (the RAM identities, i.e. `credentials_type` values, that
 * read it), `OpenAPI: every credentials_type`, or `none (ignored)`; `DKMS` and a type may come together.
 */
function describeUsedBy(users: readonly ConfigKeyUser[]): string {
  if (users.length === 0) return 'none (ignored)';
  if (users.includes('all')) return 'all';
  const parts: string[] = [];
  if (users.includes('agent')) parts.push('KMS Agent');
  if (users.includes('dkms')) parts.push('DKMS');
  if (users.includes('openapi')) parts.push('OpenAPI');
  const types = CREDENTIALS_TYPES.filter((type) => users.includes(type));
  if (types.length === CREDENTIALS_TYPES.length) parts.push('OpenAPI: every `credentials_type`');
  else if (types.length > 0) parts.push(`OpenAPI: ${types.map((type) => `\`${type}\``).join(', ')}`);
  return parts.join('; ');
}

/** `, 1000 to 600000` or `, at least 1000`; nothing when any non-negative value is accepted. */
function describeRange(spec: ConfigKeySpec): string {
  const min = spec.min ?? 0;
  if (spec.max !== undefined) return `, ${min} to ${spec.max}`;
  return min > 0 ? `, at least ${min}` : '';
}

function fieldTable(fields: readonly ConfigJsonFieldSpec[]): string[] {
  return [
    '| Field | Type | Required | Default | Description |',
    '|---|---|---|---|---|',
    ...fields.map((field) =>
      row([
        `\`${field.name}\``,
        field.type,
        field.required ? 'yes' : '',
        field.defaultText ?? (field.defaultValue === undefined ? '' : `\`${field.defaultValue}\``),
        field.description,
      ]),
    ),
  ];
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}
