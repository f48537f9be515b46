import { THROTTLE_HINT_HEADERS, type ThrottleHints } from '../kms/throttle-hints.js';

/**
 * The response headers of a throttled answer that carries `hints`, in the format Alibaba's SDKs read:
 * `x-acs-retry-after: <ms>` and `x-ratelimit-user(-api): Limit:<n>,Remain:<n>,TimeLeft:<ms>`. For the
 * emulators' throttling faults (`LocalKms`/`LocalOpenApi` `throttle`, `LocalDkms` `throttling`), e.g.
 * `kms.injectFault({ kind: 'throttle', headers: throttleHintHeaders({ limit: 450, remain: 0, timeLeftMs: 300 }) })`.
 * Whether KMS itself sends these headers is not documented.
 */
export function throttleHintHeaders(hints: ThrottleHints): Record<string, string> {
  const headers: Record<string, string> = {};
  if (hints.retryAfterMs !== undefined) headers[THROTTLE_HINT_HEADERS.retryAfter] = String(hints.retryAfterMs);
  const parts: string[] = [];
  if (hints.limit !== undefined) parts.push(`Limit:${hints.limit}`);
  if (hints.remain !== undefined) parts.push(`Remain:${hints.remain}`);
  if (hints.timeLeftMs !== undefined) parts.push(`TimeLeft:${hints.timeLeftMs}`);
  if (parts.length > 0) headers[hints.scope === 'user-api' ? THROTTLE_HINT_HEADERS.userApi : THROTTLE_HINT_HEADERS.user] = parts.join(',');
  return headers;
}
