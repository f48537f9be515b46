import type { AccessKeyCredential } from '../credentials/access-key-credential.js';
import type { CredentialClass } from './load-credential-class.js';
import { toTeaCredentials } from './tea-credentials.js';

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * Per key, a read-only view of one Tea client whose `_credential` (the field every Tea request method reads,
 * once per attempt) always answers that key, and whose request methods are the unwrapped originals. A managed
 * call runs the original method on the view of the key it chose, so every credential read of that attempt
 * (the SDK's own network retries, the OSS gateway's and rpc-client's separate id/secret/token reads) gets
 * exactly that key: the key that signed a failed request is known, and a rotation mid-attempt cannot mix an
 * old secret with a new id. Everything else the methods read comes from the client through the prototype;
 * the methods write nothing to `this` (checked for openapi-client 0.4, openapi-core 1.0, rpc-client 1.3).
 *
 * Why not AsyncLocalStorage: on Node 20 it switches on promise hooks for the whole process, which made every
 * promise of the application about 2.5 times slower in a micro-benchmark.
 */
export class PinnedClientViews {
  readonly #client: object;
  readonly #originals: ReadonlyMap<string, AnyMethod>;
  readonly #Credential: CredentialClass;
  readonly #providerName: string;
  // Weak: a view lives as long as the cache holds its credential; the warm path allocates nothing.
  readonly #views = new WeakMap<AccessKeyCredential, object>();

  /**
   * @param client - the Tea client instance
   * @param originals - its request methods before wrapping, by name
   * @param Credential - the `@alicloud/credentials` class the client's own credential is an instance of
   * @param providerName - the provider name the SDK sends as `x-acs-credentials-provider`
   */
  constructor(client: object, originals: ReadonlyMap<string, AnyMethod>, Credential: CredentialClass, providerName: string) {
    this.#client = client;
    this.#originals = originals;
    this.#Credential = Credential;
    this.#providerName = providerName;
  }

  /** The view of the client pinned to `credential`. */
  for(credential: AccessKeyCredential): object {
    let view = this.#views.get(credential);
    if (view === undefined) {
      const teaCredentials = toTeaCredentials(credential, this.#providerName);
      const providerName = this.#providerName;
      const pinned = new this.#Credential(null, {
        getCredentials: () => Promise.resolve(teaCredentials),
        getProviderName: () => providerName,
      } as never);
      const properties: PropertyDescriptorMap = { _credential: { value: pinned } };
      for (const [name, method] of this.#originals) properties[name] = { value: method };
      view = Object.create(this.#client, properties) as object;
      this.#views.set(credential, view);
    }
    return view;
  }
}
