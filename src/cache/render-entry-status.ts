import type { Clock } from '../runtime/clock.js';
import { fingerprint } from '../runtime/fingerprint.js';
import type { SecretEntry } from './secret-entry.js';
import type { SecretEntryState, SecretEntryStatus } from './secret-entry-status.js';

/** Converts a monotonic time to wall-clock epoch ms (for reporting only). */
export function wallTimeOf(monotonicMs: number, clock: Clock): number {
  return clock.now() + (monotonicMs - clock.monotonicNow());
}

/** The secret-free summary of one entry (`SecretCacheClient.getStatus`). */
export function renderEntryStatus(entry: SecretEntry, recovering: boolean, clock: Clock): SecretEntryStatus {
  const value = entry.value;
  const kind = entry.state.kind;
  const staleSinceMonoMs = entry.state.kind === 'stale' ? entry.state.sinceMonoMs : undefined;
  let state: SecretEntryState;
  if (entry.inFlight !== undefined) state = value !== undefined ? 'refreshing' : 'loading';
  else if (value === undefined) state = kind === 'load-failed' ? 'failed' : 'empty';
  else if (staleSinceMonoMs !== undefined) state = 'stale';
  else state = recovering ? 'recovering' : 'fresh';
  const lastError = entry.consecutiveFailures > 0 ? entry.lastError : undefined;
  const lastErrorCode =
    typeof (lastError as { code?: unknown } | undefined)?.code === 'string'
      ? (lastError as { code: string }).code
      : lastError === undefined
        ? undefined
        : ((lastError as Error).name ?? 'Error');
  const dueAtMs = entry.timer.dueAtMs;
  return {
    secretName: entry.secretName,
    state,
    accessKeyId: entry.credential?.accessKeyId,
    fingerprint: entry.credential?.fingerprint ?? (value === undefined ? undefined : fingerprint(value.info.secretData)),
    versionId: value?.info.versionId,
    fetchedAtMs: value?.fetchedAtMs,
    nextRefreshAtMs: dueAtMs === undefined ? undefined : wallTimeOf(dueAtMs, clock),
    consecutiveFailures: entry.consecutiveFailures,
    staleSinceMs: staleSinceMonoMs === undefined ? undefined : wallTimeOf(staleSinceMonoMs, clock),
    lastErrorCode,
    expiresAtMs: entry.credential?.expiresAtMs,
    rejectedAccessKeyIds: [...entry.rejected.ids],
    recoveryConfirmations: entry.pace.steps,
  };
}
