import { ClientKeyError } from '../../kms/dkms/client-key-error.js';
import { ConfigError } from '../../config/config-error.js';
import { SecretDataError, SecretDataErrorCode } from '../../credentials/secret-data-error.js';
import { describeConfigProblem } from './config-next-step.js';
import type { DoctorProblem } from './doctor-report.js';
import type { ProblemContext } from './problem-context.js';

/**
 * Turns any error from loading the configuration, opening a ClientKey, KMS, the secret's value or OSS into
 * a {@link DoctorProblem} with a next step. Secret-free.
 */
export function describeProblem(error: unknown, context: ProblemContext = {}): DoctorProblem {
  if (error instanceof ConfigError) return describeConfigProblem(error, context);
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
  if (error instanceof ClientKeyError) {
    if (error.reason === 'WrongPassword') {
      return `The password does not open ${error.source}: use the password file downloaded with this ClientKey (clientKey_<KeyId>_Password.txt) and check passwordFromFilePath / passwordFromEnvVariable of this entry.`;
    }
    return `Download the ClientKey of your application access point again from the KMS console and point clientKeyFile at it (${error.source}).`;
  }
  if (error instanceof SecretDataError) return secretDataNextStep(error, context);
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

/** The same words whatever the source: ProxyBucket fails with this very error on its first call. */
function secretDataNextStep(error: SecretDataError, context: ProblemContext): string {
  const secret = context.secretName === undefined ? 'The secret' : `Secret "${context.secretName}"`;
  const type = context.secretType === undefined ? '' : ` (type ${context.secretType})`;
  const useRamSecret =
    'For OSS use a managed RAM credential secret (SecretType RAMCredentials), or store a JSON object with AccessKeyId and AccessKeySecret as its value.';
  switch (error.code) {
    case SecretDataErrorCode.NotJson:
    case SecretDataErrorCode.NotAnObject:
      return `${secret}${type} does not hold an AccessKey, so ProxyBucket rejects it. ${useRamSecret}`;
    case SecretDataErrorCode.MissingField:
      return `${secret}${type} has no ${error.field ?? 'AccessKey field'} in its value, so ProxyBucket rejects it. ${useRamSecret}`;
    default:
      return `${secret}${type}: fix ${error.field ?? 'the field the message names'} in its value (a string without spaces; timestamps like 2026-01-01T00:00:00Z), or rotate it in KMS Secrets Manager.`;
  }
}
