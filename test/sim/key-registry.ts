/** One AccessKey (or STS credential) of the simulated RAM user, with its life on the OSS side. */
export interface SimKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** Only for STS credentials. */
  securityToken: string | undefined;
  /** OSS accepts the key from this monotonic time on (later than its creation: late propagation). */
  acceptedFromMs: number;
  /** OSS rejects the key from this monotonic time on (disabled in RAM, or revoked after a rotation). */
  revokedAtMs: number | undefined;
  /** STS only: `ExpireTimestamp`, on the true wall clock (KMS's and OSS's, which never steps). */
  expiresAtWallMs: number | undefined;
}

/** What a credential kind looks like in the registry. */
export type CredentialKind = 'access-key' | 'sts';

/**
 * The keys of the simulated account: which one KMS serves, which ones OSS accepts when. State changes are
 * time-stamped, so OSS can judge a request as of the moment it arrived. For STS credentials KMS issues a
 * new token when the one it serves has less than a third of its lifetime left.
 */
export class KeyRegistry {
  readonly #keys = new Map<string, SimKey>();
  #served: SimKey;
  #issued = 0;

  /**
   * @param kind - AccessKeys or STS credentials
   * @param stsLifetimeMs - lifetime of an STS credential
   * @param now - monotonic virtual time
   * @param trueWall - the true wall clock (never stepped)
   * @param firstExpiresInMs - STS: lifetime left of the credential KMS holds at the start (default a full one)
   */
  constructor(
    readonly kind: CredentialKind,
    private readonly stsLifetimeMs: number,
    private readonly now: () => number,
    private readonly trueWall: () => number,
    firstExpiresInMs = stsLifetimeMs,
  ) {
    this.#served = this.issue(0);
    if (this.#served.expiresAtWallMs !== undefined) this.#served.expiresAtWallMs = this.trueWall() + firstExpiresInMs;
  }

  /** The key KMS serves now. */
  get served(): SimKey {
    return this.#served;
  }

  /** Creates a new key that KMS serves from now on; OSS accepts it after `propagationMs`. */
  issue(propagationMs: number): SimKey {
    this.#issued += 1;
    const n = this.#issued;
    const sts = this.kind === 'sts';
    const key: SimKey = {
      accessKeyId: sts ? `STS.sim${n}` : `LTAIsim${n}`,
      accessKeySecret: `sim-secret-${n}`,
      securityToken: sts ? `sim-token-${n}` : undefined,
      acceptedFromMs: this.now() + propagationMs,
      revokedAtMs: undefined,
      expiresAtWallMs: sts ? this.trueWall() + this.stsLifetimeMs : undefined,
    };
    this.#keys.set(key.accessKeyId, key);
    this.#served = key;
    return key;
  }

  /** OSS rejects `key` from now on (KMS may keep serving it). */
  revoke(key: SimKey): void {
    key.revokedAtMs ??= this.now();
  }

  /**
   * The key KMS answers with now. An STS credential with less than `reissueBeforeMs` left (default a third
   * of its lifetime) is replaced first; a small `reissueBeforeMs` serves credentials close to expiry.
   */
  answer(reissueBeforeMs = this.stsLifetimeMs / 3): SimKey {
    const key = this.#served;
    if (key.expiresAtWallMs !== undefined && key.expiresAtWallMs - this.trueWall() < reissueBeforeMs) return this.issue(0);
    return key;
  }

  /** Whether OSS accepts the served key at monotonic `atMs`. */
  usable(key: SimKey, atMs: number): boolean {
    return this.judge(key.accessKeyId, key.securityToken, atMs) === 'ok';
  }

  /**
   * What OSS answers to a request signed with this key that arrived at monotonic `atMs`: `ok`, or the OSS
   * error code.
   */
  judge(accessKeyId: string, securityToken: string | undefined, atMs: number): string {
    const key = this.#keys.get(accessKeyId);
    if (key === undefined || atMs < key.acceptedFromMs) return 'InvalidAccessKeyId';
    if (key.revokedAtMs !== undefined && atMs >= key.revokedAtMs) return 'InvalidAccessKeyId';
    if (key.securityToken !== securityToken) return 'InvalidSecurityToken';
    if (key.expiresAtWallMs !== undefined && this.trueWall() - (this.now() - atMs) >= key.expiresAtWallMs) return 'SecurityTokenExpired';
    return 'ok';
  }
}
