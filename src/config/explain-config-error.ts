import { ConfigError, ConfigErrorCode, type ConfigErrorLocation } from './config-error.js';
import { CLIENT_KEY_PASSWORD_IN_FILE } from './client-key-password-in-file.js';
import type { ConfigSetting, ConfigSettings } from './config-setting.js';
import type { ConfigWarning } from './provider-config.js';

/** What {@link explainConfigError} knows about the load that failed. */
export interface ExplainContext {
  /** The winning setting of each key (file settings carry their line). */
  readonly settings: ConfigSettings;
  /** Properties of the file that are not keys (one may be named by `passwordFromFilePathName`). */
  readonly otherFileProperties: ReadonlyMap<string, ConfigSetting>;
  /** The warnings collected before the failure (unknown keys and fields with their suggestions). */
  readonly warnings: readonly ConfigWarning[];
  /** The properties file read, if any (absolute). */
  readonly configFile?: string;
}

/** The keys whose absence gives "no KMS configured". */
const KMS_KEYS: ReadonlySet<string> = new Set(['cache_client_kms_agent_config_info', 'cache_client_dkms_config_info', 'cache_client_region_id']);
/** Top-level keys a ClientKey password is looked up through. */
const PASSWORD_KEYS: ReadonlySet<string> = new Set([
  'client_key_password_from_file_path',
  'client_key_password_from_env_variable',
  'client_key_password',
]);
/** Fields of a DKMS entry a ClientKey password is looked up through. */
const PASSWORD_FIELDS: ReadonlySet<string> = new Set(['passwordFromFilePath', 'passwordFromEnvVariable', 'passwordFromFilePathName']);

/**
 * The error a failed load reports, from the error validation threw:
 * - a misspelled key or field whose absence explains the failure becomes the error itself (`UnknownKey`,
 *   "no key `x`: did you mean `y`?", the original as `cause`): a missing key or field, "no KMS configured",
 *   or no ClientKey password, each next to an unknown key or field (or an environment variable in the wrong
 *   case) suggested as the name that was needed;
 * - no password found while the properties file sets `client_key_password` (never read from there) says so;
 * - an error about a key set in the properties file names the file and the line (`file`, `line`, and in the
 *   message), unless it already names another file (a missing ClientKey file keeps that file).
 */
export function explainConfigError(error: ConfigError, context: ExplainContext): ConfigError {
  return typoExplaining(error, context) ?? withPlace(withPasswordInFile(error, context), context);
}

function typoExplaining(error: ConfigError, context: ExplainContext): ConfigError | undefined {
  const explains = explainingWarning(error);
  if (explains === undefined) return undefined;
  const warning = context.warnings.find((candidate) => candidate.suggestion !== undefined && explains(candidate));
  if (warning === undefined) return undefined;
  const suggestion = warning.suggestion ?? '';
  const because = `Without it: ${error.message}`;
  if (warning.code === 'EnvKeyCase') {
    return new ConfigError(ConfigErrorCode.UnknownKey, `${warning.message}. ${because}`, { key: suggestion }, { cause: error });
  }
  if (warning.code === 'UnknownField' && warning.key !== undefined && warning.field !== undefined) {
    const entry = `${warning.key}[${warning.index ?? 0}]`;
    const place = fileLine(context, context.settings.get(warning.key));
    return new ConfigError(
      ConfigErrorCode.UnknownKey,
      `no field \`${warning.field}\` in ${entry}: did you mean \`${suggestion}\`?${place.text} ${because}`,
      { key: warning.key, ...(warning.index === undefined ? {} : { index: warning.index }), field: warning.field, ...place.location },
      { cause: error },
    );
  }
  if (warning.key === undefined) return undefined;
  const place = placeAt(context.configFile, warning.line);
  return new ConfigError(
    ConfigErrorCode.UnknownKey,
    `no key \`${warning.key}\`: did you mean \`${suggestion}\`?${place.text} ${because}`,
    { key: warning.key, ...place.location },
    { cause: error },
  );
}

/** Which warnings' suggestions name what `error` found missing; `undefined` for errors a typo cannot explain. */
function explainingWarning(error: ConfigError): ((warning: ConfigWarning) => boolean) | undefined {
  const isKeyTypo = (warning: ConfigWarning) => warning.code === 'UnknownKey' || warning.code === 'EnvKeyCase';
  const isFieldTypoOfEntry = (warning: ConfigWarning) =>
    warning.code === 'UnknownField' && warning.key === error.key && warning.index === error.index;
  switch (error.code) {
    case ConfigErrorCode.MissingKey:
      if (error.field !== undefined) return (warning) => isFieldTypoOfEntry(warning) && warning.suggestion === error.field;
      return (warning) => isKeyTypo(warning) && warning.suggestion === error.key;
    case ConfigErrorCode.IncompatibleKeys:
      // "no KMS configured" is the one IncompatibleKeys error about a whole missing key.
      if (error.index !== undefined || error.field !== undefined || error.key !== 'cache_client_dkms_config_info') return undefined;
      return (warning) => isKeyTypo(warning) && KMS_KEYS.has(warning.suggestion ?? '');
    case ConfigErrorCode.PasswordNotFound:
      return (warning) =>
        (isFieldTypoOfEntry(warning) && PASSWORD_FIELDS.has(warning.suggestion ?? '')) ||
        (isKeyTypo(warning) && PASSWORD_KEYS.has(warning.suggestion ?? ''));
    default:
      return undefined;
  }
}

/** No password found while the file sets `client_key_password`: say that it is not read from there, and why. */
function withPasswordInFile(error: ConfigError, context: ExplainContext): ConfigError {
  if (error.code !== ConfigErrorCode.PasswordNotFound || context.configFile === undefined) return error;
  const ignored = context.warnings.find((warning) => warning.code === 'IgnoredKey' && warning.key === 'client_key_password' && warning.line !== undefined);
  if (ignored === undefined) return error;
  return new ConfigError(
    error.code as ConfigErrorCode,
    `${error.message}. Note: client_key_password is set in ${context.configFile} line ${ignored.line}, but is not read ` +
      `from there. ${CLIENT_KEY_PASSWORD_IN_FILE}`,
    location(error),
    { cause: error.cause },
  );
}

/** `error` with the properties file and line of its key, when that key's value came from the file. */
function withPlace(error: ConfigError, context: ExplainContext): ConfigError {
  if (error.line !== undefined || error.key === undefined) return error;
  const setting = context.settings.get(error.key) ?? context.otherFileProperties.get(error.key);
  const place = fileLine(context, setting);
  if (place.location.line === undefined) return error;
  const otherFile = error.file !== undefined && error.file !== context.configFile;
  return new ConfigError(
    error.code as ConfigErrorCode,
    `${error.message}${otherFile ? ` (set in ${context.configFile} line ${place.location.line})` : place.text}`,
    { ...location(error), ...(otherFile ? {} : place.location) },
    { cause: error.cause },
  );
}

/** Where a setting of the properties file is: ` (in <file> line <n>)` for messages, and `file`, `line`. */
function fileLine(context: ExplainContext, setting: ConfigSetting | undefined): { text: string; location: ConfigErrorLocation } {
  return setting?.source === 'file' ? placeAt(context.configFile, setting.line) : { text: '', location: {} };
}

function placeAt(file: string | undefined, line: number | undefined): { text: string; location: ConfigErrorLocation } {
  if (file === undefined || line === undefined) return { text: '', location: {} };
  return { text: ` (in ${file} line ${line})`, location: { file, line } };
}

function location(error: ConfigError): ConfigErrorLocation {
  return {
    ...(error.key === undefined ? {} : { key: error.key }),
    ...(error.index === undefined ? {} : { index: error.index }),
    ...(error.field === undefined ? {} : { field: error.field }),
    ...(error.file === undefined ? {} : { file: error.file }),
    ...(error.line === undefined ? {} : { line: error.line }),
  };
}
