import type { Clock } from '../../runtime/clock.js';
import {
  AccessKeyRegistry,
  type AccessKeyInfo,
  type AccessKeyRecord,
  type AccessKeyRegistration,
} from '../access-key-registry.js';
import { LocalOssError } from './local-oss-error.js';

/**
 * An AccessKey for {@link OssKeyRegistry.add}: a long-term RAM AccessKey, or an STS triple (the token is sent
 * as `x-oss-security-token` or `security-token`). An expired STS key answers `SecurityTokenExpired`, an expired
 * long-term key `InvalidAccessKeyId`; a key still propagating (`acceptAfterMs`) answers `InvalidAccessKeyId`.
 */
export type OssKeyRegistration = AccessKeyRegistration;

/** Public, secret-free view of a registered key. */
export type OssKeyInfo = AccessKeyInfo;

/** A registered key as the authenticator sees it. */
export type OssKeyRecord = AccessKeyRecord;

/**
 * The AccessKeys LocalOss accepts, mutable while the server runs so tests can rotate: add AK-2, then
 * {@link AccessKeyRegistry.revoke} AK-1 and watch clients get `InvalidAccessKeyId`. Misuse throws
 * {@link LocalOssError} (`LocalOss.InvalidArgument`, `LocalOss.DuplicateKey`, `LocalOss.UnknownKey`).
 *
 * - unknown or revoked id, or a new key still propagating (`acceptAfterMs`) → `InvalidAccessKeyId`
 *   (EC 0002-00000002)
 * - disabled id → `InvalidAccessKeyId` "…is disabled."
 * - STS key used without its token → `InvalidAccessKeyId` (EC 0002-00000003)
 * - wrong token → `InvalidSecurityToken`; expired STS key → `SecurityTokenExpired`
 */
export class OssKeyRegistry extends AccessKeyRegistry {
  /** @param clock - time source for expiry and propagation */
  constructor(clock: Clock) {
    super(clock, (code, message) => new LocalOssError(`LocalOss.${code}`, message));
  }
}
