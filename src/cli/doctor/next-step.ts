import { ConfigError } from '../../config/config-error.js';
import { SecretDataError, SecretDataErrorCode } from '../../credentials/secret-data-error.js';
import { agentNextStep } from './agent-next-step.js';
import { describeConfigProblem } from './config-next-step.js';
import type { DoctorProblem } from './doctor-report.js';
import { kmsNextStep } from './kms-next-step.js';
import { ossNextStep, ossProblemMessage } from './oss-next-step.js';
import type { ProblemContext } from './problem-context.js';

/**
 * Turns any error from loading the configuration or opening a ClientKey (both `ConfigError`), KMS, the secret's value or OSS into
 * a {@link DoctorProblem} whose next step fits what actually happened. Secret-free.
 */
export function describeProblem(error: unknown, context: ProblemContext = {}): DoctorProblem {
  if (error instanceof ConfigError) return describeConfigProblem(error, context);
  const code = errorCode(error);
  if (context.service === 'oss') {
    return { code, message: ossProblemMessage(error, context), nextStep: ossNextStep(error, code, context) };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SecretDataError) return { code, message, nextStep: secretDataNextStep(error, context) };
  if (context.service === 'agent') return { code, message, nextStep: agentNextStep(error, code, context) };
  return { code, message, nextStep: kmsNextStep(error, code, context) };
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return error instanceof Error ? error.name : 'Error';
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
