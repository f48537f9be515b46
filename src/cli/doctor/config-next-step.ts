import { ConfigErrorCode, describeLocation, type ConfigError } from '../../config/config-error.js';
import { CONFIG_FILE_ENV_VAR, DEFAULT_CONFIG_NAME } from '../../config/config-loader.js';
import type { DoctorProblem } from './doctor-report.js';
import type { ProblemContext } from './problem-context.js';

/**
 * A configuration that cannot be loaded, as the doctor reports it. The loader's messages for a missing
 * file speak to programmers (how the file was chosen in code); here they speak about the command line.
 */
export function describeConfigProblem(error: ConfigError, context: ProblemContext): DoctorProblem {
  const location = context.propertiesFile;
  if (error.code === ConfigErrorCode.FileNotFound && location !== undefined && (error.file === undefined || error.file === location.path)) {
    if (location.chosenBy === 'default') {
      return {
        code: error.code,
        message: `no configuration: ${location.path} does not exist and no configuration key is set in the environment`,
        nextStep:
          `Create ${DEFAULT_CONFIG_NAME} in the working directory (start from managed_credentials_providers.properties.example ` +
          `in the package), pass --config FILE, or name the file in ${CONFIG_FILE_ENV_VAR}.`,
      };
    }
    return {
      code: error.code,
      message: `properties file ${location.path} (named by ${location.chosenBy}) does not exist`,
      nextStep: `Check the file name given by ${location.chosenBy}; a relative name is looked up in the working directory.`,
    };
  }
  const propertiesFile = location?.exists === true ? location.path : undefined;
  return { code: error.code, message: error.message, nextStep: nextStep(error, propertiesFile, context.env) };
}

function nextStep(error: ConfigError, propertiesFile: string | undefined, env: ProblemContext['env']): string {
  const file = error.file ?? propertiesFile;
  switch (error.code) {
    case ConfigErrorCode.FileNotFound:
      return `Create the file the message names, or pass --config FILE.`;
    case ConfigErrorCode.UnreadableFile:
      return `Make ${file ?? 'the file'} readable by the user this runs as (run doctor as the service's user).`;
    case ConfigErrorCode.MalformedProperties:
      return `Fix the line of ${file ?? 'the properties file'} the message names.`;
    case ConfigErrorCode.PasswordNotFound:
      return 'Give the ClientKey password: a file named by passwordFromFilePath (or client_key_password_from_file_path), or an environment variable named by passwordFromEnvVariable.';
    case ConfigErrorCode.UnknownKey:
      return renameStep(error, env);
    case ConfigErrorCode.WrongPassword:
      return `The password does not open ${error.file ?? 'the ClientKey'}: use the password file downloaded with this ClientKey (clientKey_<KeyId>_Password.txt) and check passwordFromFilePath / passwordFromEnvVariable of this entry.`;
    case ConfigErrorCode.InvalidClientKey:
      return `Download the ClientKey of your application access point again from the KMS console and point clientKeyFile at it${error.file === undefined ? '' : ` (${error.file})`}.`;
    default: {
      const key = error.key;
      // Name where the bad value lives: the environment wins over the file for the same key.
      const fromEnv = key !== undefined && (env?.[key]?.trim() ?? '') !== '';
      if (fromEnv) return `Fix ${describeLocation(error)} (set in the environment) as the message says; the README's configuration table documents every key.`;
      if (error.line !== undefined && error.file !== undefined) {
        return `Fix ${describeLocation(error)} in ${error.file} line ${error.line} as the message says; the README's configuration table documents every key.`;
      }
      // Not in the file (nor the environment): a key to add, not one to fix.
      if (key !== undefined && error.index === undefined && (error.code === ConfigErrorCode.MissingKey || error.code === ConfigErrorCode.IncompatibleKeys)) {
        const what = error.code === ConfigErrorCode.IncompatibleKeys && key === 'cache_client_dkms_config_info' ? `${key} (or cache_client_region_id)` : key;
        return `Add ${what} to ${propertiesFile ?? 'the properties file'} (or set it in the environment); the README's configuration table documents every key.`;
      }
      const where = propertiesFile === undefined ? '' : ` in ${propertiesFile}`;
      return `Fix ${key === undefined ? 'the setting' : describeLocation(error)}${where} as the message says; the README's configuration table documents every key.`;
    }
  }
}

/** The name a typo was meant as, from the message's "did you mean `name`?". */
function meantName(error: ConfigError): string | undefined {
  return /did you mean `([^`]+)`\?/.exec(error.message)?.[1];
}

/** A typo's next step: rename it, where it is written. */
function renameStep(error: ConfigError, env: ProblemContext['env']): string {
  const meant = meantName(error);
  const at = error.line !== undefined && error.file !== undefined ? `${error.file} line ${error.line}` : undefined;
  if (meant === undefined) {
    // An environment variable in the wrong case: the message names the variable and the key.
    return 'Rename the environment variable to the key\'s exact spelling, as the message says.';
  }
  if (error.field !== undefined) {
    const entry = `${error.key ?? ''}[${error.index ?? 0}]`;
    return `Rename ${error.field} to ${meant} in ${entry}${at === undefined ? '' : ` (${at})`}.`;
  }
  const inEnv = error.key !== undefined && env?.[error.key] !== undefined;
  return `Rename ${error.key ?? 'the key'} to ${meant}${at !== undefined ? ` in ${at}` : inEnv ? ' in the environment' : ''}.`;
}
