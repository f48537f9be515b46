import type { ConfigSettings } from './config-setting.js';
import { expectEnvVarName, expectString, resolvePath } from './config-values.js';
import type { PasswordStep } from './resolve-client-key-password.js';

type Settings = ConfigSettings;

/** The top-level password places, in order: file, env var named by the key, `client_key_password`. */
export function topLevelPasswordSteps(settings: Settings): PasswordStep[] {
  const steps: PasswordStep[] = [];
  const file = settings.get('client_key_password_from_file_path');
  if (file !== undefined) {
    const location = { key: file.key };
    const path = resolvePath(expectString(file.value, location), file.baseDir);
    steps.push({ kind: 'file', path, label: `client_key_password_from_file_path (${path})`, location });
  }
  const envName = settings.get('client_key_password_from_env_variable');
  if (envName !== undefined) {
    const name = expectEnvVarName(envName.value, { key: envName.key });
    steps.push({ kind: 'env', name, label: envLabel(name, 'client_key_password_from_env_variable') });
  }
  const direct = settings.get('client_key_password');
  if (direct?.source === 'code') {
    steps.push({ kind: 'value', value: expectString(direct.value, { key: direct.key }), label: 'client_key_password (code)' });
  } else {
    steps.push({ kind: 'env', name: 'client_key_password', label: 'env client_key_password' });
  }
  return steps;
}

/**
 * `env NAME (via)`. Only conventional upper-case names are shown: a mixed-case "name" may be a password put
 * where the variable's name belongs, and this label ends up in error messages.
 */
export function envLabel(name: string, via: string): string {
  return /^[A-Z_][A-Z0-9_]*$/.test(name) ? `env ${name} (${via})` : `the env var named by ${via}`;
}
