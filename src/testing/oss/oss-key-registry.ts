import { inspect } from 'node:util';
import type { Clock } from '../../runtime/clock.js';
import { LocalOssError } from './local-oss-error.js';

/** An AccessKey for {@link OssKeyRegistry.add}: a long-term RAM AccessKey, or an STS triple. */
export interface OssKeyRegistration {
  /** The AccessKeyId clients sign with. */
  accessKeyId: string;
  /** The AccessKeySecret; kept out of logs, errors and `util.inspect`. */
  accessKeySecret: string;
  /** For STS credentials: the token clients must send as `x-oss-security-token` (or `security-token`). */
  securityToken?: string;
  /**
   * Epoch milliseconds after which the key stops working: an STS key then answers `SecurityTokenExpired`,
   * a long-term key `InvalidAccessKeyId`. Compared with the emulator's clock.
   */
  expiresAtMs?: number;
  /**
   * Propagation delay of a new key: OSS rejects it with `InvalidAccessKeyId` (exactly as an unknown id)
   * until this many milliseconds have passed since {@link OssKeyRegistry.add}, measured on the emulator's
   * clock, as real OSS does for a few seconds after RAM creates an AccessKey. `Infinity` keeps it rejected
   * until {@link OssKeyRegistry.activate}. Default 0: accepted at once.
   */
  acceptAfterMs?: number;
}

/** Public, secret-free view of a registered key. */
export interface OssKeyInfo {
  readonly accessKeyId: string;
  readonly enabled: boolean;
  readonly sts: boolean;
  readonly expiresAtMs: number | undefined;
  /**
   * Epoch ms (emulator clock) from which OSS accepts the key, when it was added with `acceptAfterMs`;
   * `Infinity` while it waits for {@link OssKeyRegistry.activate}; undefined when accepted from the start.
   */
  readonly acceptedFromMs: number | undefined;
}

/** A registered key as the authenticator sees it. */
export interface OssKeyRecord extends OssKeyInfo {
  readonly accessKeySecret: string;
  readonly securityToken: string | undefined;
}

/**
 * The AccessKeys LocalOss accepts, mutable while the server runs so tests can rotate: add AK-2, then
 * {@link OssKeyRegistry.revoke} AK-1 and watch clients get `InvalidAccessKeyId`.
 *
 * - unknown or revoked id, or a new key still propagating (`acceptAfterMs`) → `InvalidAccessKeyId`
 *   (EC 0002-00000002)
 * - disabled id → `InvalidAccessKeyId` "…is disabled."
 * - STS key used without its token → `InvalidAccessKeyId` (EC 0002-00000003)
 * - wrong token → `InvalidSecurityToken`; expired STS key → `SecurityTokenExpired`
 */
export class OssKeyRegistry {
  // A private field, so `util.inspect` (and thus test failure output) never shows a secret.
  readonly #keys = new Map<string, OssKeyRecord>();
  readonly #clock: Clock;

  /** @param clock - time source for {@link OssKeyRegistry.isExpired} and {@link OssKeyRegistry.isPropagating} */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Registers a key (enabled). With `acceptAfterMs`, OSS rejects it as unknown until the delay has passed
   * on the emulator's clock (or until {@link OssKeyRegistry.activate}):
   *
   * ```ts
   * oss.keys.add({ accessKeyId: 'AK2', accessKeySecret: 'S2', acceptAfterMs: 3000 }); // InvalidAccessKeyId for 3 s
   * oss.keys.add({ accessKeyId: 'AK3', accessKeySecret: 'S3', acceptAfterMs: Infinity });
   * oss.keys.activate('AK3'); // accepted from now on
   * ```
   *
   * Throws `LocalOss.DuplicateKey` if the id is already registered (revoke it first to replace it) and
   * `LocalOss.InvalidArgument` for an empty id or secret, or an `acceptAfterMs` that is negative or NaN.
   */
  add(key: OssKeyRegistration): void {
    if (!key.accessKeyId || !key.accessKeySecret) {
      throw new LocalOssError('LocalOss.InvalidArgument', 'accessKeyId and accessKeySecret must be non-empty');
    }
    const acceptAfterMs = key.acceptAfterMs ?? 0;
    if (Number.isNaN(acceptAfterMs) || acceptAfterMs < 0) {
      throw new LocalOssError('LocalOss.InvalidArgument', 'acceptAfterMs must be a number >= 0 (Infinity: until activate)');
    }
    if (this.#keys.has(key.accessKeyId)) {
      throw new LocalOssError('LocalOss.DuplicateKey', `AccessKeyId ${key.accessKeyId} is already registered`);
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
   * Ends the propagation delay of a key added with `acceptAfterMs`: OSS accepts it from now on. A no-op for
   * a key that is already accepted; throws `LocalOss.UnknownKey` for an id that is not registered.
   */
  activate(accessKeyId: string): void {
    const record = this.#keys.get(accessKeyId);
    if (!record) throw new LocalOssError('LocalOss.UnknownKey', `AccessKeyId ${accessKeyId} is not registered`);
    if (record.acceptedFromMs !== undefined) this.#keys.set(accessKeyId, { ...record, acceptedFromMs: undefined });
  }

  /** Disables a key: requests signed with it answer `InvalidAccessKeyId` "…is disabled." */
  disable(accessKeyId: string): void {
    this.#set(accessKeyId, false);
  }

  /** Re-enables a disabled key. */
  enable(accessKeyId: string): void {
    this.#set(accessKeyId, true);
  }

  /** Deletes a key: requests signed with it answer `InvalidAccessKeyId` as for an unknown id. Idempotent. */
  revoke(accessKeyId: string): void {
    this.#keys.delete(accessKeyId);
  }

  /** Whether the id is registered (enabled or not). */
  has(accessKeyId: string): boolean {
    return this.#keys.has(accessKeyId);
  }

  /** Secret-free view of all registered keys. */
  list(): OssKeyInfo[] {
    return [...this.#keys.values()].map(({ accessKeyId, enabled, sts, expiresAtMs, acceptedFromMs }) => ({
      accessKeyId,
      enabled,
      sts,
      expiresAtMs,
      acceptedFromMs,
    }));
  }

  /** The full record, secret included, for the authenticator. */
  lookup(accessKeyId: string): OssKeyRecord | undefined {
    return this.#keys.get(accessKeyId);
  }

  /** Whether the key's `expiresAtMs` has passed on the registry's clock. */
  isExpired(record: OssKeyRecord): boolean {
    return record.expiresAtMs !== undefined && this.#clock.now() >= record.expiresAtMs;
  }

  /**
   * Whether the key is still propagating: added with `acceptAfterMs` that has not passed on the registry's
   * clock, and not {@link OssKeyRegistry.activate}d.
   */
  isPropagating(record: OssKeyRecord): boolean {
    return record.acceptedFromMs !== undefined && this.#clock.now() < record.acceptedFromMs;
  }

  #set(accessKeyId: string, enabled: boolean): void {
    const record = this.#keys.get(accessKeyId);
    if (!record) throw new LocalOssError('LocalOss.UnknownKey', `AccessKeyId ${accessKeyId} is not registered`);
    this.#keys.set(accessKeyId, { ...record, enabled });
  }

  /** Shows ids and states only. */
  [inspect.custom](): string {
    return `OssKeyRegistry ${inspect(this.list())}`;
  }
}
