import { AccessKeyCredential } from '../../src/credentials/access-key-credential.js';
import type { CredentialProvider, RefreshNowOptions, RefreshOutcome } from '../../src/credentials/credential-provider.js';

/**
 * A hand-driven {@link CredentialProvider} for ProxyBucket tests that focus on the bucket: the test decides
 * which key is current and which key a forced refresh "fetches". The real cache is covered by its own
 * tests and by the end-to-end tests that combine SecretCacheClient, LocalDkms and LocalOss.
 */
export class ManualCredentialProvider implements CredentialProvider {
  current: AccessKeyCredential | undefined;
  /** What the next forced refresh finds in "KMS"; `undefined` keeps the current key. */
  nextFetched: AccessKeyCredential | undefined;
  refreshCalls: RefreshNowOptions[] = [];
  getCalls = 0;
  private pendingFirstLoad: Promise<void> | undefined;

  constructor(initial?: AccessKeyCredential) {
    this.current = initial;
  }

  /** Makes getCredential wait until `release()` is called (to test "first call awaits first load"). */
  holdFirstLoad(): { release: (credential: AccessKeyCredential) => void } {
    let release!: (credential: AccessKeyCredential) => void;
    this.pendingFirstLoad = new Promise<void>((resolve) => {
      release = (credential) => {
        this.current = credential;
        resolve();
      };
    });
    return { release };
  }

  async getCredential(): Promise<AccessKeyCredential> {
    this.getCalls++;
    if (this.pendingFirstLoad) await this.pendingFirstLoad;
    if (!this.current) throw new Error('no credential');
    return this.current;
  }

  peekCredential(): AccessKeyCredential | undefined {
    return this.pendingFirstLoad && !this.current ? undefined : this.current;
  }

  async refreshNow(_name: string, options: RefreshNowOptions = {}): Promise<RefreshOutcome> {
    // What the call asked for (its deadline and signal are checked by the call core's own tests).
    const { deadline: _deadline, signal: _signal, ...asked } = options;
    this.refreshCalls.push(asked);
    const before = this.current!;
    if (options.staleAccessKeyId && before.accessKeyId !== options.staleAccessKeyId) {
      return { credential: before, changed: true, via: 'cached' };
    }
    if (this.nextFetched) {
      this.current = this.nextFetched;
      this.nextFetched = undefined;
    }
    return { credential: this.current!, changed: !this.current!.sameKeyAs(before), via: 'fetched' };
  }
}

/** A credential with the given id and a secret derived from it. */
export function credential(accessKeyId: string, securityToken?: string): AccessKeyCredential {
  return new AccessKeyCredential({ accessKeyId, accessKeySecret: `secret-of-${accessKeyId}-0123456789`, securityToken });
}
