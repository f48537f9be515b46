/**
 * What a throttled KMS answer said about its quota, from its response headers. Alibaba's SDKs read the same
 * headers (`x-acs-retry-after` in ms; `x-ratelimit-user-api` / `x-ratelimit-user` =
 * `Limit:<n>,Remain:<n>,TimeLeft:<ms>,Reset:<...>`); whether KMS sends them is not documented, so every field
 * is optional and an answer without them has no hints at all.
 */
export interface ThrottleHints {
  /** `x-acs-retry-after`: the server's own wait before the next try, ms. */
  retryAfterMs?: number;
  /** `TimeLeft` of the rate-limit header (the larger of the two when both came): ms until the quota has room. */
  timeLeftMs?: number;
  /** `Limit` of the rate-limit header that set `timeLeftMs` (or the only one): requests allowed per window. */
  limit?: number;
  /** `Remain` of that header: requests left in the current window when the answer was sent. */
  remain?: number;
  /** Which rate-limit header the `limit`/`remain`/`timeLeftMs` figures come from. */
  scope?: 'user-api' | 'user';
}

/** Header names, lower case (Node lower-cases incoming header names). */
export const THROTTLE_HINT_HEADERS = Object.freeze({
  retryAfter: 'x-acs-retry-after',
  userApi: 'x-ratelimit-user-api',
  user: 'x-ratelimit-user',
} as const);

/** Largest hint taken at its word, ms: a hint beyond an hour is a bug or a unit mix-up, not a plan. */
const MAX_HINT_MS = 60 * 60_000;

/** A response header's value as a string (Node gives `string | string[] | undefined`). */
type HeaderValue = string | readonly string[] | undefined | null;

/**
 * Reads the throttle hints of an answer's headers (names in any case). Malformed values are ignored, never
 * thrown on: a hint is advice, and a wrong one must not turn a throttled answer into another error. Returns
 * `undefined` when no hint header was present or none could be read. Pure.
 */
export function parseThrottleHints(headers: Readonly<Record<string, HeaderValue>> | undefined): ThrottleHints | undefined {
  if (headers === undefined) return undefined;
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value.join(',') : value;
    if (typeof text === 'string') lower.set(name.toLowerCase(), text);
  }
  const hints: ThrottleHints = {};
  const retryAfterMs = cappedMs(wholeNumber(lower.get(THROTTLE_HINT_HEADERS.retryAfter)));
  if (retryAfterMs !== undefined) hints.retryAfterMs = retryAfterMs;
  const userApi = parseRateLimitHeader(lower.get(THROTTLE_HINT_HEADERS.userApi));
  const user = parseRateLimitHeader(lower.get(THROTTLE_HINT_HEADERS.user));
  // As the SDKs do: the longer TimeLeft of the two wins (both limits must have room).
  const chosen =
    userApi !== undefined && (user === undefined || (userApi.timeLeftMs ?? -1) >= (user.timeLeftMs ?? -1))
      ? { ...userApi, scope: 'user-api' as const }
      : user === undefined
        ? undefined
        : { ...user, scope: 'user' as const };
  if (chosen !== undefined) Object.assign(hints, chosen);
  return Object.keys(hints).length === 0 ? undefined : hints;
}

/** `Limit:1,Remain:0,TimeLeft:2000,Reset:1234` -> its numbers; undefined when none is readable. */
function parseRateLimitHeader(value: string | undefined): Omit<ThrottleHints, 'retryAfterMs' | 'scope'> | undefined {
  if (value === undefined) return undefined;
  const out: Omit<ThrottleHints, 'retryAfterMs' | 'scope'> = {};
  for (const pair of value.split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    const key = pair.slice(0, colon).trim().toLowerCase();
    const number = wholeNumber(pair.slice(colon + 1));
    if (number === undefined) continue;
    if (key === 'limit') out.limit = number;
    else if (key === 'remain' || key === 'remaining') out.remain = number;
    else if (key === 'timeleft') out.timeLeftMs = cappedMs(number);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** A non-negative whole number written in decimal digits, or undefined. */
function wholeNumber(text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  return trimmed !== undefined && /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** A duration clamped to {@link MAX_HINT_MS}. */
function cappedMs<T extends number | undefined>(ms: T): T {
  return (ms === undefined ? ms : Math.min(ms, MAX_HINT_MS)) as T;
}

/** The hints' wait before the next try, ms (the longer of retry-after and TimeLeft), or undefined. Pure. */
export function hintedWaitMs(hints: ThrottleHints | undefined): number | undefined {
  if (hints === undefined) return undefined;
  const waits = [hints.retryAfterMs, hints.timeLeftMs].filter((ms): ms is number => ms !== undefined);
  return waits.length === 0 ? undefined : Math.max(...waits);
}
