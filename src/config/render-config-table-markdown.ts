import {
  CONFIG_KEYS,
  DKMS_ENTRY_FIELDS,
  REGION_ENTRY_FIELDS,
  type ConfigJsonFieldSpec,
  type ConfigKeySpec,
} from './config-keys.js';

/**
 * The README's configuration reference as Markdown, generated from the key table: one table of keys
 * (name, type, default, secret, sources, description) and one table per JSON-array key's entry fields.
 */
export function renderConfigTableMarkdown(): string {
  const lines = [
    '| Key | Type | Default | Secret | Sources | Description |',
    '|---|---|---|---|---|---|',
    ...CONFIG_KEYS.map((spec: ConfigKeySpec) =>
      row([
        `\`${spec.name}\``,
        describeType(spec),
        spec.defaultValue === undefined ? '' : `\`${spec.defaultValue}\``,
        spec.secret ? 'yes' : '',
        spec.sources.join(', '),
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
  ];
  return `${lines.join('\n')}\n`;
}

function describeType(spec: ConfigKeySpec): string {
  switch (spec.type) {
    case 'enum':
      return `one of ${(spec.values ?? []).map((value) => `\`${value}\``).join(', ')}`;
    case 'duration-ms':
      return 'integer (ms)';
    case 'count':
      return 'integer';
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

function fieldTable(fields: readonly ConfigJsonFieldSpec[]): string[] {
  return [
    '| Field | Type | Required | Default | Description |',
    '|---|---|---|---|---|',
    ...fields.map((field) =>
      row([`\`${field.name}\``, field.type, field.required ? 'yes' : '', field.defaultText ?? '', field.description]),
    ),
  ];
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}
