import type { KeyObject } from 'node:crypto';

/**
 * An application access point (AAP) ClientKey, ready to sign: its KeyId (`KAAP.<uuid>`) and RSA private
 * key. `KeyObject`s print no key material in `util.inspect` or `JSON.stringify`. Load one with
 * `readClientKeyFile`, `parseClientKeyContent` or `clientKeyFromPem`.
 */
export interface ClientKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
}
