import { readFileSync } from 'node:fs';
import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import { checkReadableFile } from './config-values.js';

/** One place a ClientKey password may be found, in the order tried. */
export type PasswordStep =
  | { kind: 'file'; path: string; label: string; location: ConfigErrorLocation }
  | { kind: 'env'; name: string; label: string }
  | { kind: 'value'; value: string; label: string };

/** A resolved password and a description of where it came from (never the password). */
export interface ResolvedPassword {
  /** The password. Secret. */
  readonly password: string;
  /** E.g. `passwordFromFilePath (/etc/pw.txt)` or `env MY_PWD (passwordFromEnvVariable)`. */
  readonly source: string;
}

/**
 * Tries `steps` in order and returns the first password found.
 *
 * A file step is explicit configuration, so an unreadable or empty file is an error rather than a silent
 * fall-through; its content is trimmed (the official providers strip newlines; editors add them). An env
 * step whose variable is unset or empty falls through to the next step, keeping the official fallbacks.
 * If nothing is found, the {@link ConfigError} (`PasswordNotFound`) lists every place tried; no message
 * ever contains a password.
 */
export function resolveClientKeyPassword(
  steps: readonly PasswordStep[],
  env: Readonly<Record<string, string | undefined>>,
  location: ConfigErrorLocation,
): ResolvedPassword {
  for (const step of steps) {
    if (step.kind === 'file') {
      checkReadableFile(step.path, step.location);
      let content: string;
      try {
        content = readFileSync(step.path, 'utf8');
      } catch {
        throw new ConfigError(
          ConfigErrorCode.UnreadableFile,
          `${describeLocation(step.location)}: file ${step.path} cannot be read`,
          { ...step.location, file: step.path },
        );
      }
      const password = content.trim();
      if (password === '') {
        throw new ConfigError(
          ConfigErrorCode.PasswordNotFound,
          `${describeLocation(step.location)}: password file ${step.path} is empty`,
          { ...step.location, file: step.path },
        );
      }
      return { password, source: step.label };
    }
    if (step.kind === 'env') {
      const password = env[step.name];
      if (password !== undefined && password !== '') return { password, source: step.label };
      continue;
    }
    if (step.value !== '') return { password: step.value, source: step.label };
  }
  const tried = steps.length === 0 ? 'nothing configured' : steps.map((step) => step.label).join(', ');
  throw new ConfigError(
    ConfigErrorCode.PasswordNotFound,
    `${describeLocation(location)}: no ClientKey password found (tried: ${tried}). Set passwordFromFilePath or ` +
      'passwordFromEnvVariable on the entry, client_key_password_from_file_path or ' +
      'client_key_password_from_env_variable, or the client_key_password environment variable',
    location,
  );
}
