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
  if (error.code === ConfigErrorCode.FileNotFound && location !== undefined) {
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
    default: {
      const key = error.key;
      // Name where the bad value lives: the environment wins over the file for the same key.
      const fromEnv = key !== undefined && (env?.[key]?.trim() ?? '') !== '';
      const where = fromEnv ? ' (set in the environment)' : propertiesFile === undefined ? '' : ` in ${propertiesFile}`;
      return `Fix ${key === undefined ? 'the setting' : describeLocation(error)}${where} as the message says; the README's configuration table documents every key.`;
    }
  }
}
