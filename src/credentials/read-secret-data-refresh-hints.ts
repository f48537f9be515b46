/** Refresh hints a secret can carry in its SecretData. */
export interface SecretDataRefreshHints {
  /** `RefreshInterval` (or `refreshInterval`): seconds as a JSON number, or a string like `"3600s"`; in ms. */
  refreshIntervalMs?: number;
  /** `ScheduleRotateTimestamp` (or `scheduleRotateTimestamp`): epoch seconds; in ms. */
  scheduleRotateTimestampMs?: number;
}

/** Intervals beyond this (about 100 years) are treated as garbage rather than trusted. */
const MAX_INTERVAL_MS = 100 * 365 * 24 * 60 * 60 * 1000;
/** The largest time a `Date` can hold. */
const MAX_DATE_MS = 8.64e15;
const SECONDS = /^\s*(\d+(?:\.\d+)?)\s*s?\s*$/;

/**
 * Reads the optional refresh hints of a SecretData. Hints are advisory: a SecretData that is not a JSON
 * object, or a hint that is missing, malformed, zero, negative or absurdly large, yields no hint (the
 * cache then uses its configured defaults). Never throws and never echoes the data.
 *
 * The official providers disagree on the format (Java: a number of seconds; Python/Go: `"3600s"`), so both
 * are accepted.
 */
export function readSecretDataRefreshHints(secretData: string): SecretDataRefreshHints {
  let data: unknown;
  try {
    data = JSON.parse(secretData);
  } catch {
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const record = data as Record<string, unknown>;
  const hints: SecretDataRefreshHints = {};
  const refreshIntervalMs = secondsToMs(record.RefreshInterval ?? record.refreshInterval, MAX_INTERVAL_MS);
  if (refreshIntervalMs !== undefined) hints.refreshIntervalMs = refreshIntervalMs;
  const scheduleMs = secondsToMs(record.ScheduleRotateTimestamp ?? record.scheduleRotateTimestamp, MAX_DATE_MS);
  if (scheduleMs !== undefined) hints.scheduleRotateTimestampMs = scheduleMs;
  return hints;
}

function secondsToMs(value: unknown, maxMs: number): number | undefined {
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    const match = SECONDS.exec(value);
    if (!match?.[1]) return undefined;
    seconds = Number(match[1]);
  } else return undefined;
  const ms = Math.round(seconds * 1000);
  return Number.isFinite(ms) && ms > 0 && ms <= maxMs ? ms : undefined;
}
