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
}

/** Public, secret-free view of a registered key. */
export interface OssKeyInfo {
  readonly accessKeyId: string;
  readonly enabled: boolean;
  readonly sts: boolean;
  readonly expiresAtMs: number | undefined;
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
 * - unknown or revoked id → `InvalidAccessKeyId` (EC 0002-00000002)
 * - disabled id → `InvalidAccessKeyId` "…is disabled."
 * - STS key used without its token → `InvalidAccessKeyId` (EC 0002-00000003)
 * - wrong token → `InvalidSecurityToken`; expired STS key → `SecurityTokenExpired`
 */
export class OssKeyRegistry {
  // A private field, so `util.inspect` (and thus test failure output) never shows a secret.
  readonly #keys = new Map<string, OssKeyRecord>();
  readonly #clock: Clock;

  /** @param clock - time source for {@link OssKeyRegistry.isExpired} */
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Registers a key (enabled). Throws `LocalOss.DuplicateKey` if the id is already registered (revoke it
   * first to replace it) and `LocalOss.InvalidArgument` for an empty id or secret.
   */
  add(key: OssKeyRegistration): void {
    if (!key.accessKeyId || !key.accessKeySecret) {
      throw new LocalOssError('LocalOss.InvalidArgument', 'accessKeyId and accessKeySecret must be non-empty');
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
    });
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
    return [...this.#keys.values()].map(({ accessKeyId, enabled, sts, expiresAtMs }) => ({
      accessKeyId,
      enabled,
      sts,
      expiresAtMs,
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
