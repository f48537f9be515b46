import type { ProvidedCredentials } from '../../src/credentials/credentials-provider-like.js';
import type { Clock } from '../../src/runtime/clock.js';
import type { AccessKeyRegistration } from '../../src/testing/index.js';

/** Where the issuer registers each token it hands out (LocalOss's or LocalOpenApi's `keys`). */
export interface KeyRegistry {
  add(key: AccessKeyRegistration): void;
}

/**
 * An OSS-v2-style credentials provider that behaves like STS AssumeRole: every ask issues a new token that
 * expires `lifetimeMs` later on `clock`, registered at the emulator(s) so it works there until then. A test can
 * hold the answers (`hold()`, then `release()`), make asks fail (`failWith`) or hang (`hang`).
 */
export class StsIssuer {
  /** Asks so far. */
  calls = 0;
  /** The tokens issued, oldest first. */
  readonly issued: { accessKeyId: string; expiresAtMs: number }[] = [];
  /** Makes every ask reject with this error while set. */
  failWith: Error | undefined;
  /** Makes every ask hang (never settle) while set. */
  hang = false;
  /** Reported `expiration` minus the real one (a provider whose clock is ahead of the service's). */
  reportedLateByMs = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  constructor(
    private readonly registries: readonly KeyRegistry[],
    private readonly clock: Clock,
    private readonly lifetimeMs: number,
  ) {}

  /** Later asks wait until `release()`. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  /** The token issued last. */
  get current(): string {
    return this.issued[this.issued.length - 1]!.accessKeyId;
  }

  getCredentials = async (): Promise<ProvidedCredentials> => {
    this.calls++;
    if (this.hang) return new Promise<never>(() => undefined);
    if (this.#gate) await this.#gate;
    if (this.failWith) throw this.failWith;
    const accessKeyId = `STS.token-${this.issued.length + 1}`;
    const expiresAtMs = this.clock.now() + this.lifetimeMs;
    const key = { accessKeyId, accessKeySecret: stsSecretOf(accessKeyId), securityToken: stsTokenOf(accessKeyId), expiresAtMs };
    for (const registry of this.registries) registry.add(key);
    this.issued.push({ accessKeyId, expiresAtMs });
    return { ...key, expiration: new Date(expiresAtMs + this.reportedLateByMs) };
  };
}

export function stsSecretOf(accessKeyId: string): string {
  return `sts-secret-of-${accessKeyId}-Qw3rTy7uIo9pAs2dF`;
}

export function stsTokenOf(accessKeyId: string): string {
  return `CAIS-security-token-of-${accessKeyId}-Zx8cVb5nM1lK4jH6gF`;
}
