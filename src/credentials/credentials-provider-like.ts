/** What an OSS-v2-style credentials provider answers (see {@link AsyncCredentialsProvider}). */
export interface ProvidedCredentials {
  accessKeyId: string;
  /** Secret. */
  accessKeySecret: string;
  /** STS token, for temporary credentials. Secret. */
  securityToken?: string | undefined;
  /**
   * When the credentials stop working. With it, the provider is asked once per token, ahead of this time; a
   * `Date`, epoch ms, or an ISO 8601 string. Without it, the answer is kept for `maxAgeMs` (or until rejected).
   */
  expiration?: Date | number | string | undefined;
}

/**
 * A credentials provider in the shape of the OSS v2 SDK: `getCredentials()` resolving to an AccessKey, optionally
 * with an STS token and its `expiration`. Any `@alicloud/credentials` `CredentialsProvider` (its providers such
 * as `RAMRoleARNCredentialsProvider`) has this shape too, without `expiration`.
 */
export interface AsyncCredentialsProvider {
  getCredentials(): Promise<ProvidedCredentials>;
}

/**
 * An `@alicloud/credentials` `Credential` (`new Credential()` for its default chain: environment, OIDC/RRSA,
 * CLI profile, ECS RAM role, credentials URI; or `new Credential({ type: ... })`). It reports no expiration;
 * its own providers cache and refresh their tokens.
 */
export interface AlibabaCloudCredential {
  getCredential(): Promise<{ accessKeyId?: string | undefined; accessKeySecret?: string | undefined; securityToken?: string | undefined }>;
}

/** What the `credentialsProvider` option takes: an OSS-v2-style provider or an `@alicloud/credentials` `Credential`. */
export type CredentialsProviderLike = AsyncCredentialsProvider | AlibabaCloudCredential;

/** Which of the two shapes `value` has (`getCredentials` wins: it may report `expiration`), or `undefined`. */
export function credentialsProviderShape(value: unknown): 'getCredentials' | 'getCredential' | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const candidate = value as Partial<Record<'getCredentials' | 'getCredential', unknown>>;
  if (typeof candidate.getCredentials === 'function') return 'getCredentials';
  if (typeof candidate.getCredential === 'function') return 'getCredential';
  return undefined;
}
