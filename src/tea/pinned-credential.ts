import { AsyncLocalStorage } from 'node:async_hooks';
import type { AccessKeyCredential } from '../credentials/access-key-credential.js';

/** The key a managed call chose for its current attempt, and the provider it belongs to. */
interface Pin {
  readonly owner: object;
  readonly credential: AccessKeyCredential;
}

// One storage for the process: a pin names its owner, so a managed call of one client that (oddly) calls
// another managed client inside does not hand its key to the other's provider.
const pins = new AsyncLocalStorage<Pin>();

/**
 * Runs `action` with `credential` pinned for `owner` (a provider): every credential read of `owner` inside it,
 * however many (an SDK's own network retries, rpc-client's separate id/secret/token reads), gets exactly this
 * key. So the key that signed a failed request is known exactly, and a rotation in the middle of an attempt
 * cannot mix a new id with an old secret.
 */
export function runWithPinnedCredential<T>(owner: object, credential: AccessKeyCredential, action: () => T): T {
  return pins.run({ owner, credential }, action);
}

/** The key pinned for `owner` in the current async context, if a managed call of `owner` is running. */
export function pinnedCredential(owner: object): AccessKeyCredential | undefined {
  const pin = pins.getStore();
  return pin !== undefined && pin.owner === owner ? pin.credential : undefined;
}
