import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import { SecretForms } from './secret-forms.js';

/** The forms of each credential's secret and token, kept as long as the credential. */
const formsByCredential = new WeakMap<AccessKeyCredential, SecretForms>();

/**
 * The encoded forms of `credential`'s secret and token ({@link SecretForms}), built once per credential (a new
 * credential comes with each refresh) and kept as long as it lives. `redactServiceError` builds them the
 * first time a call signed with the credential fails, so a succeeding call costs nothing; a refresh may call
 * this when it stores a new credential to build them off the callers' path (a few milliseconds for a 1 kB STS
 * token).
 */
export function secretFormsOf(credential: AccessKeyCredential): SecretForms {
  let forms = formsByCredential.get(credential);
  if (forms === undefined) {
    const secrets = [credential.accessKeySecret, credential.securityToken].filter(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    forms = new SecretForms(secrets);
    formsByCredential.set(credential, forms);
  }
  return forms;
}
