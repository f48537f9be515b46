import { ClientKeyError } from '../../kms/dkms/client-key-error.js';
import { ConfigError } from '../../config/config-error.js';
import { DEFAULT_CONFIG_NAME } from '../../config/config-loader.js';
import { SecretDataError } from '../../credentials/secret-data-error.js';
import type { DoctorProblem } from './doctor-report.js';

/** What the doctor was doing when `error` happened, to make the advice concrete. */
export interface ProblemContext {
  /** The secret being fetched. */
  secretName?: string;
  /** The KMS or OSS endpoint involved. */
  endpoint?: string;
  /** The bucket being checked. */
  bucket?: string;
}

/** Turns any error from loading, KMS or OSS into a {@link DoctorProblem} with a next step. Secret-free. */
export function describeProblem(error: unknown, context: ProblemContext = {}): DoctorProblem {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return { code, message, nextStep: nextStepFor(error, code, context) };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.name : 'Error';
}

function nextStepFor(error: unknown, code: string, context: ProblemContext): string {
  const secret = context.secretName === undefined ? 'the secret' : `secret "${context.secretName}"`;
  const endpoint = context.endpoint ?? 'the endpoint';
  if (error instanceof ConfigError) {
    switch (code) {
      case 'ConfigError.FileNotFound':
        return `Create ${DEFAULT_CONFIG_NAME} in the working directory (start from managed_credentials_providers.properties.example), or pass --config FILE.`;
      case 'ConfigError.PasswordNotFound':
        return 'Give the ClientKey password: a file named by passwordFromFilePath (or client_key_password_from_file_path), or an environment variable named by passwordFromEnvVariable.';
      default:
        return `Fix ${error.key ?? 'the setting'}${error.file === undefined ? '' : ` (file ${error.file})`} as the message says; the README's configuration table documents every key.`;
    }
  }
  if (error instanceof ClientKeyError) {
    if (error.reason === 'WrongPassword') {
      return `The password does not open ${error.source}: use the password file downloaded with this ClientKey (clientKey_<KeyId>_Password.txt) and check passwordFromFilePath / passwordFromEnvVariable of this entry.`;
    }
    return `Download the ClientKey of your application access point again from the KMS console and point clientKeyFile at it (${error.source}).`;
  }
  if (error instanceof SecretDataError) {
    return `${secret} does not hold an AccessKey: use a managed RAM credential secret (SecretType RAMCredentials) for OSS.`;
  }
  switch (code) {
    case 'NetworkError':
    case 'Timeout':
    case 'ECONNREFUSED':
    case 'ConnectionTimeoutError':
    case 'ResponseTimeoutError':
    case 'RequestError':
      return `Check that ${endpoint} is reachable from this host (DNS, VPC, security group, firewall); a KMS instance endpoint is only reachable from inside its VPC.`;
    case 'TlsVerificationFailed':
    case 'TlsError':
      return `Set caFilePath to the CA bundle of ${endpoint} (root and intermediate, from the KMS console); never turn on ignoreSslCerts in production.`;
    case 'Forbidden.ResourceNotFound':
    case 'Forbidden.SecretNotFound':
    case 'EntityNotExist.Secret':
      return `${secret} does not exist at ${endpoint}: check the name (--secret or secret_names) and that this instance or region holds it.`;
    case 'Forbidden.NoPermission':
    case 'Forbidden.RAM':
      return `Allow kms:GetSecretValue on ${secret} in the policy of the application access point (ClientKey) or of the RAM identity.`;
    case 'Unauthorized':
    case 'Forbidden.KeyNotFound':
      return `${endpoint} does not know this ClientKey (deleted, or made for another instance): create a ClientKey for the application access point and configure it.`;
    case 'Rejected.Throttling':
    case 'ServiceUnavailableTemporary':
    case 'InternalFailure':
      return `KMS at ${endpoint} is throttling or failing: try again; if it persists, configure a second instance or region so the cache can fail over.`;
    case 'InvalidAccessKeyId':
      return `OSS does not accept the AccessKey in ${secret} (deleted or disabled in RAM): rotate the secret in KMS Secrets Manager, and check the RAM user belongs to the bucket's account.`;
    case 'SignatureDoesNotMatch':
      return `The AccessKeySecret in ${secret} does not match its AccessKeyId: rotate the secret in KMS Secrets Manager.`;
    case 'AccessDenied':
      return `The key works, but its RAM user may not read bucket "${context.bucket ?? ''}": grant oss:GetObject on it (the check is a GET of a missing object).`;
    case 'NoSuchBucket':
      return `Bucket "${context.bucket ?? ''}" does not exist at ${endpoint}: check --bucket and --endpoint (the bucket's region).`;
    default:
      return 'See the message; run again with --json for the error codes, and check the README section "What happens on rotation and outages".';
  }
}
