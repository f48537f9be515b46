import type { CredentialProvider } from '../credentials/credential-provider.js';

/**
 * Remembers the one key a client saw rejected while the cache had nothing better, so that the next request
 * signed with it that succeeds is reported to the cache (OSS and the OpenAPI gateway may accept a new key a
 * few seconds late; the report ends the cache's recovery). One per client instance; `succeeded` is a pointer
 * compare on the warm path.
 */
export class KeyAcceptance {
  #awaiting: string | undefined;

  constructor(
    private readonly provider: CredentialProvider,
    private readonly secretName: string,
  ) {}

  /** Starts watching for a success signed with `accessKeyId`. */
  expect(accessKeyId: string): void {
    this.#awaiting = accessKeyId;
  }

  /** A request signed with `accessKeyId` succeeded: report it once if it is the awaited key. */
  succeeded(accessKeyId: string): void {
    if (this.#awaiting !== accessKeyId) return;
    this.#awaiting = undefined;
    this.provider.reportKeyAccepted?.(this.secretName, accessKeyId);
  }
}
