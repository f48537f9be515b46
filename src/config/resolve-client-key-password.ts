import { existsSync } from 'node:fs';
import { ConfigError, ConfigErrorCode, describeLocation, type ConfigErrorLocation } from './config-error.js';
import { checkReadableFile } from './config-values.js';
import { readFileUpTo } from './read-file-up-to.js';

/**
 * Largest password file accepted (64 KiB). A password is one short line; anything bigger is a wrong path
 * (a log, an archive), and reading it whole would block the synchronous constructor that loads the config.
 */
export const MAX_PASSWORD_FILE_BYTES = 64 * 1024;

/** One place a ClientKey password may be found, in the order tried. */
export type PasswordStep =
  | {
      kind: 'file';
      path: string;
      label: string;
      location: ConfigErrorLocation;
      /** How messages name the setting that holds the path, when not `location` (e.g. a property named by another). */
      setting?: string;
    }
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
 * A file step is explicit configuration, so a missing, unreadable, empty or too large (over
 * {@link MAX_PASSWORD_FILE_BYTES}, never read past the limit) file is an error rather than a silent
 * fall-through; its content is trimmed (the official providers strip newlines; editors add them). An env
 * step whose variable is unset or empty falls through to the next step, keeping the official fallbacks.
 * If nothing is found, the {@link ConfigError} (`PasswordNotFound`) lists every place tried; no message
 * ever contains a password. A path that does not exist is not shown either: a password pasted by mistake
 * where its file's path belongs would be echoed; the error names the setting instead (and the loader adds the
 * properties file and line when it came from there).
 */
export function resolveClientKeyPassword(
  steps: readonly PasswordStep[],
  env: Readonly<Record<string, string | undefined>>,
  location: ConfigErrorLocation,
): ResolvedPassword {
  for (const step of steps) {
    if (step.kind === 'file') {
      if (!existsSync(step.path)) {
        const setting = step.setting ?? describeLocation(step.location);
        throw new ConfigError(
          ConfigErrorCode.UnreadableFile,
          `${setting}: the password file it names does not exist (the value is not shown: a password setting's ` +
            'value is never echoed, in case it is the password itself)',
          step.location,
        );
      }
      checkReadableFile(step.path, step.location);
      let bytes: Buffer | undefined;
      try {
        bytes = readFileUpTo(step.path, MAX_PASSWORD_FILE_BYTES);
      } catch {
        throw new ConfigError(
          ConfigErrorCode.UnreadableFile,
          `${describeLocation(step.location)}: file ${step.path} cannot be read`,
          { ...step.location, file: step.path },
        );
      }
      if (bytes === undefined) {
        throw new ConfigError(
          ConfigErrorCode.FileTooLarge,
          `${describeLocation(step.location)}: password file ${step.path} is larger than ${MAX_PASSWORD_FILE_BYTES} bytes; ` +
            'it should hold just the ClientKey password',
          { ...step.location, file: step.path },
        );
      }
      const password = bytes.toString('utf8').trim();
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
