import { inspect } from 'node:util';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';

/**
 * What an `@alicloud/credentials` custom provider returns from `getCredentials()`: the shape of its
 * `Credentials` class (not exported by that package; a plain object of this shape is what it reads).
 */
export interface TeaCredentials {
  readonly accessKeyId: string;
  /** Secret: not enumerable, never printed. */
  readonly accessKeySecret: string;
  /** Secret: not enumerable, never printed. */
  readonly securityToken?: string;
  /** Sent by the SDK as the `x-acs-credentials-provider` header. */
  readonly providerName: string;
}

const converted = new WeakMap<AccessKeyCredential, TeaCredentials>();

/**
 * The `@alicloud/credentials` view of one of our credentials: id, secret and token of ONE key, so a request is
 * signed with a matching triple. Memoized per credential (the warm path allocates nothing); the secret and
 * token are non-enumerable and `JSON.stringify` / `util.inspect` show only the id.
 */
export function toTeaCredentials(credential: AccessKeyCredential, providerName: string): TeaCredentials {
  let view = converted.get(credential);
  if (view === undefined || view.providerName !== providerName) {
    const visible = { accessKeyId: credential.accessKeyId, providerName };
    view = Object.freeze(
      Object.defineProperties(
        { ...visible },
        {
          accessKeySecret: { value: credential.accessKeySecret, enumerable: false },
          securityToken: { value: credential.securityToken, enumerable: false },
          toJSON: { value: () => ({ ...visible, fingerprint: credential.fingerprint }), enumerable: false },
          [inspect.custom]: { value: () => `TeaCredentials(${credential.accessKeyId}, sha256:${credential.fingerprint})`, enumerable: false },
        },
      ),
    ) as TeaCredentials;
    converted.set(credential, view);
  }
  return view;
}
