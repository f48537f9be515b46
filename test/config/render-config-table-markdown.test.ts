import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DKMS_ENTRY_FIELDS, renderConfigTableMarkdown } from '../../src/config/index.js';

describe('renderConfigTableMarkdown', () => {
  it('has one row per key with its type, default and secret flag, plus the JSON entry fields', () => {
    const markdown = renderConfigTableMarkdown();
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(CONFIG_KEYS.length + DKMS_ENTRY_FIELDS.length + 4);
    expect(markdown).toContain('| `rotation_interval` | integer (ms) | `21600000` |  | file, env, code |');
    expect(markdown).toContain('| `credentials_access_secret` | string |  | yes | file, env, code |');
    expect(markdown).toContain('| `client_key_password` | string |  | yes | env, code |');
    expect(markdown).toContain('| `passwordFromEnvVariable` | string |  |  | NAME of an environment variable');
  });

  it('lists every key of the example properties file', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../managed_credentials_providers.properties.example', import.meta.url), 'utf8');
    for (const spec of CONFIG_KEYS) expect(example).toContain(spec.name);
  });
});
