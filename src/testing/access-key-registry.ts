import { inspect } from 'node:util';
import type { Clock } from '../runtime/clock.js';

/** An AccessKey for {@link AccessKeyRegistry.add}: a long-term RAM AccessKey, or an STS triple. */
export interface AccessKeyRegistration {
  /** The AccessKeyId clients sign with. */
  accessKeyId: string;
  /** The AccessKeySecret; kept out of logs, errors and `util.inspect`. */
  accessKeySecret: string;
  /** For STS credentials: the token clients must send with the AccessKeyId. Secret. */
  securityToken?: string;
  /**
   * Epoch milliseconds after which the key stops working (an STS key answers the emulator's "token expired"
   * error, a long-term key the "unknown key" one). Compared with the emulator's clock.
   */
  expiresAtMs?: number;
  /**
   * Propagation delay of a new key: the emulator rejects it exactly as an unknown id until this many
   * milliseconds have passed since {@link AccessKeyRegistry.add}, measured on the emulator's clock, as the real
   * services do for a few seconds after RAM creates an AccessKey. `Infinity` keeps it rejected until
   * {@link AccessKeyRegistry.activate}. Default 0: accepted at once.
   */
  acceptAfterMs?: number;
}

/** Public, secret-free view of a registered key. */
export interface AccessKeyInfo {
  readonly accessKeyId: string;
  readonly enabled: boolean;
  readonly sts: boolean;
  readonly expiresAtMs: number | undefined;
  /**
   * Epoch ms (emulator clock) from which the key is accepted, when it was added with `acceptAfterMs`;
   * `Infinity` while it waits for {@link AccessKeyRegistry.activate}; undefined when accepted from the start.
   */
  readonly acceptedFromMs: number | undefined;
}

/** A registered key as an emulator's authenticator sees it. */
export interface AccessKeyRecord extends AccessKeyInfo {
  readonly accessKeySecret: string;
  readonly securityToken: string | undefined;
}

/** The misuse codes of an {@link AccessKeyRegistry}, prefixed with the emulator's name (`LocalOss.UnknownKey`). */
export type AccessKeyRegistryMisuse = 'InvalidArgument' | 'DuplicateKey' | 'UnknownKey';

/**
 * The AccessKeys an emulator accepts, mutable while it runs so tests can rotate: add AK-2, then
 * {@link AccessKeyRegistry.revoke} AK-1 and watch clients get the service's "unknown key" error. Shared by
 * LocalOss and LocalOpenApi; each maps the states (unknown, disabled, propagating, expired, STS token) to its
 * service's error codes.
 */
export class AccessKeyRegistry {
  // A private field, so `util.inspect` (and thus test failure output) never shows a secret.
  readonly #keys = new Map<string, AccessKeyRecord>();
  readonly #clock: Clock;
  readonly #misuse: (code: AccessKeyRegistryMisuse, message: string) => Error;

  /**
   * @param clock - time source for {@link AccessKeyRegistry.isExpired} and {@link AccessKeyRegistry.isPropagating}
   * @param misuse - builds the error thrown when a test uses the registry wrongly (the emulator's error class)
   */
  constructor(clock: Clock, misuse: (code: AccessKeyRegistryMisuse, message: string) => Error) {
    this.#clock = clock;
    this.#misuse = misuse;
  }

  /**
   * Registers a key (enabled). With `acceptAfterMs`, the emulator rejects it as unknown until the delay has
   * passed on its clock (or until {@link AccessKeyRegistry.activate}):
   *
   * ```ts
   * keys.add({ accessKeyId: 'AK2', accessKeySecret: 'S2', acceptAfterMs: 3000 }); // rejected for 3 s
   * keys.add({ accessKeyId: 'AK3', accessKeySecret: 'S3', acceptAfterMs: Infinity });
   * keys.activate('AK3'); // accepted from now on
   * ```
   *
   * Throws `<Emulator>.DuplicateKey` if the id is already registered (revoke it first to replace it) and
   * `<Emulator>.InvalidArgument` for an empty id or secret, or an `acceptAfterMs` that is negative or NaN.
   */
  add(key: AccessKeyRegistration): void {
    if (!key.accessKeyId || !key.accessKeySecret) {
      throw this.#misuse('InvalidArgument', 'accessKeyId and accessKeySecret must be non-empty');
    }
    const acceptAfterMs = key.acceptAfterMs ?? 0;
    if (Number.isNaN(acceptAfterMs) || acceptAfterMs < 0) {
      throw this.#misuse('InvalidArgument', 'acceptAfterMs must be a number >= 0 (Infinity: until activate)');
    }
    if (this.#keys.has(key.accessKeyId)) {
      throw this.#misuse('DuplicateKey', `AccessKeyId ${key.accessKeyId} is already registered: each AccessKeyId can be added once (disable() and enable() change its state; revoke() deletes it)`);
    }
    this.#keys.set(key.accessKeyId, {
      accessKeyId: key.accessKeyId,
      accessKeySecret: key.accessKeySecret,
      securityToken: key.securityToken || undefined,
      sts: Boolean(key.securityToken),
      expiresAtMs: key.expiresAtMs,
      enabled: true,
      acceptedFromMs: acceptAfterMs === 0 ? undefined : this.#clock.now() + acceptAfterMs,
    });
  }

  /**
   * Ends the propagation delay of a key added with `acceptAfterMs`: accepted from now on. A no-op for a key
   * that is already accepted; throws `<Emulator>.UnknownKey` for an id that is not registered.
   */
  activate(accessKeyId: string): void {
    const record = this.#keys.get(accessKeyId);
    if (!record) throw this.#misuse('UnknownKey', `AccessKeyId ${accessKeyId} is not registered: add() it first (registered: ${this.list().map((k) => k.accessKeyId).join(', ') || 'none'})`);
    if (record.acceptedFromMs !== undefined) this.#keys.set(accessKeyId, { ...record, acceptedFromMs: undefined });
  }

  /** Disables a key: requests signed with it answer the service's "disabled key" error. */
  disable(accessKeyId: string): void {
    this.#set(accessKeyId, false);
  }

  /** Re-enables a disabled key. */
  enable(accessKeyId: string): void {
    this.#set(accessKeyId, true);
  }

  /** Deletes a key: requests signed with it are answered as for an unknown id. Idempotent. */
  revoke(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }

  /** Whether the id is registered (enabled or not). */
  has(accessKeyId: string): boolean {
    return this.#keys.has(accessKeyId);
  }

  /** Secret-free view of all registered keys. */
  list(): AccessKeyInfo[] {
    return [...this.#keys.values()].map(({ accessKeyId, enabled, sts, expiresAtMs, acceptedFromMs }) => ({
      accessKeyId,
      enabled,
      sts,
      expiresAtMs,
      acceptedFromMs,
    }));
  }

  /** The full record, secret included, for the authenticator. */
  lookup(accessKeyId: string): AccessKeyRecord | undefined {
    return this.#keys.get(accessKeyId);
  }

  /** Whether the key's `expiresAtMs` has passed on the registry's clock. */
  isExpired(record: AccessKeyRecord): boolean {
    return record.expiresAtMs !== undefined && this.#clock.now() >= record.expiresAtMs;
  }

  /**
   * Whether the key is still propagating: added with `acceptAfterMs` that has not passed on the registry's
   * clock, and not {@link AccessKeyRegistry.activate}d.
   */
  isPropagating(record: AccessKeyRecord): boolean {
    return record.acceptedFromMs !== undefined && this.#clock.now() < record.acceptedFromMs;
  }

  #set(accessKeyId: string, enabled: boolean): void {
    const record = this.#keys.get(accessKeyId);
    if (!record) throw this.#misuse('UnknownKey', `AccessKeyId ${accessKeyId} is not registered: add() it first (registered: ${this.list().map((k) => k.accessKeyId).join(', ') || 'none'})`);
    this.#keys.set(accessKeyId, { ...record, enabled });
  }

  /** Shows ids and states only. */
  [inspect.custom](): string {
    return `${this.constructor.name} ${inspect(this.list())}`;
  }
}
