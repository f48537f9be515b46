import type { AccessKeyCredential } from '../../credentials/access-key-credential.js';

/**
 * What an External credential process prints for `@alicloud/credentials` (CLI profiles with
 * `mode: "External"`) and the aliyun CLI: `mode` `AK`, or `StsToken` with `sts_token`; `expiration` in
 * ISO 8601 UTC. Holds secrets: written to stdout only, never logged.
 */
export interface ExternalCredential {
  /** `StsToken` when the secret holds a security token, else `AK`. */
  mode: 'AK' | 'StsToken';
  access_key_id: string;
  /** Secret. */
  access_key_secret: string;
  /** Secret; only with `mode: "StsToken"`. */
  sts_token?: string;
  /** When to ask again, `yyyy-MM-ddTHH:mm:ssZ`. */
  expiration?: string;
}

/**
 * The External form of `credential`, valid until `refreshAtMs` (epoch ms): the earlier of the cache's next
 * refresh and the credential's own expiry. `@alicloud/credentials` reruns the command once less than 180 s
 * remain before `expiration`, and on every call when it is missing, so it is left out only when nothing is
 * known. Whole seconds, rounded down: every reader of RFC 3339 accepts that form, and earlier is the safe side.
 */
export function toExternalCredential(credential: AccessKeyCredential, refreshAtMs: number | undefined): ExternalCredential {
  const untilMs = [refreshAtMs, credential.expiresAtMs].filter((ms): ms is number => ms !== undefined && Number.isFinite(ms));
  const expiration = untilMs.length === 0 ? undefined : isoSeconds(Math.min(...untilMs));
  return {
    mode: credential.securityToken === undefined ? 'AK' : 'StsToken',
    access_key_id: credential.accessKeyId,
    access_key_secret: credential.accessKeySecret,
    ...(credential.securityToken === undefined ? {} : { sts_token: credential.securityToken }),
    ...(expiration === undefined ? {} : { expiration }),
  };
}

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
