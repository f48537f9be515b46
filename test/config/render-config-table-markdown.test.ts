import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DKMS_ENTRY_FIELDS, renderConfigTableMarkdown } from '../../src/config/index.js';
import { KMS_AGENT_ENTRY_FIELDS } from '../../src/config/config-keys.js';

describe('renderConfigTableMarkdown', () => {
  it('has one row per key with its type, default and secret flag, plus the JSON entry fields', () => {
    const markdown = renderConfigTableMarkdown();
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(CONFIG_KEYS.length + DKMS_ENTRY_FIELDS.length + KMS_AGENT_ENTRY_FIELDS.length + 4);
    expect(markdown).toContain('| `rotation_interval` | integer (ms), at least 1000 | `21600000` |  | file, env, code | all |');
    expect(markdown).toContain('| `fetch_timeout` | integer (ms), 1000 to 600000 | `30000` |');
    expect(markdown).toContain('| `credentials_access_secret` | string |  | yes | file, env, code | OpenAPI: `ak`, `sts`, `ram_role` |');
    expect(markdown).toContain('| `client_key_password` | string |  | yes | env, code | DKMS; OpenAPI: `client_key` |');
    expect(markdown).toContain('| `credentials_type` | one of');
    expect(markdown).toContain('| OpenAPI: every `credentials_type` |');
    expect(markdown).toContain('| `monitor_period_milliseconds` | integer (ms) |  |  | file, env, code | none (ignored) |');
    expect(markdown).toContain('| `passwordFromEnvVariable` | string |  |  | NAME of an environment variable');
  });

  it('shows the connect and read timeout defaults of a DKMS entry, the ones a configuration gets', () => {
    const markdown = renderConfigTableMarkdown();
    expect(markdown).toContain('| `connectTimeout` | integer (ms) |  | `5000` |');
    expect(markdown).toContain('| `readTimeout` | integer (ms) |  | `10000` |');
  });

  it('says for every key which configurations read it, and for no ignored key that one does', () => {
    for (const spec of CONFIG_KEYS) {
      const ignored = 'ignored' in spec && spec.ignored === true;
      expect(spec.usedBy.length === 0, spec.name).toBe(ignored);
    }
  });

  it('lists every key of the example properties file', async () => {
    const { readFileSync } = await import('node:fs');
    const example = readFileSync(new URL('../../managed_credentials_providers.properties.example', import.meta.url), 'utf8');
    for (const spec of CONFIG_KEYS) expect(example).toContain(spec.name);
  });
});
