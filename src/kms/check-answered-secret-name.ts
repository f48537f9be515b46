import { KmsError, KmsErrorCode } from './kms-error.js';

const SECRET_ARN = /^acs:kms:[^:]*:[^:]*:secret\/(.+)$/;

/**
 * Throws unless `answered` is the secret a GetSecretValue request asked for: the same name, or, when the
 * request named the secret by ARN (`acs:kms:<region>:<uid>:secret/<name>`), that ARN's `<name>`. An answer
 * for another secret (a misrouting proxy, a server bug) must never be cached under the requested name: its
 * AccessKey would sign requests meant for another identity.
 *
 * @param requested - the `SecretName` sent (name or ARN)
 * @param answered - the `SecretName` of the answer
 * @param source - description of the source, for the error
 * @throws KmsError `Kms.InvalidResponse` (not retryable) naming both secrets (names are not secret)
 */
export function checkAnsweredSecretName(requested: string, answered: string, source: string): void {
  if (answered === requested || answered === SECRET_ARN.exec(requested)?.[1]) return;
  throw new KmsError(`${source} answered GetSecretValue of "${requested}" with the secret "${answered}"; the answer is refused`, {
    code: KmsErrorCode.InvalidResponse,
    retryable: false,
    source,
  });
}
