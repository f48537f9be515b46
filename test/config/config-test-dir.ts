import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temporary folder for one test, with helpers to write files into it; `remove()` deletes it. */
export class ConfigTestDir {
  readonly path = mkdtempSync(join(tmpdir(), 'config-test-'));

  /** Writes `content` to `relativePath` (folders created) and returns the absolute path. */
  write(relativePath: string, content: string): string {
    const path = join(this.path, relativePath);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  }

  /** A placeholder ClientKey file (its content is not parsed by the config). */
  clientKey(relativePath = 'clientKey.json'): string {
    return this.write(relativePath, '{"KeyId":"KAAP.test","PrivateKeyData":"not-parsed-here"}');
  }

  /** Writes the default properties file. */
  properties(content: string, relativePath = 'managed_credentials_providers.properties'): string {
    return this.write(relativePath, content);
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
