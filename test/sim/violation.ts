/** The invariants every run is checked against (DESIGN.md, Recovery, "Proof"). */
export const INVARIANTS = {
  deadline: 'I1 every caller settles within fetch_timeout plus the OSS request it had in flight',
  'rejected-key-sent': 'I2 no OSS request signed with a key the cache knew was rejected when it was sent',
  'kms-pace': 'I3 one fetch in flight per secret; fetches >= recovery.minIntervalMs apart except the first of an episode',
  recovery: 'I4 once KMS serves a usable key and answers normally, calls started after the next attempt + 5 s succeed',
  'body-resent': 'I5 no body sent twice unless replayable',
  'unhandled-rejection': 'I6 no unhandled rejection',
  'timers-after-close': 'I7 no library timer left on the clock after close(), and close() settles',
  'retry-while-key-changes': 'I8 a replayable call rejected with a key retries while the cache holds one it has not tried',
} as const;

/** The name of an invariant. */
export type InvariantName = keyof typeof INVARIANTS;

/** One broken invariant in one run. */
export interface Violation {
  invariant: InvariantName;
  seed: number;
  /** Virtual monotonic ms where it shows. */
  atMs: number;
  /** The call concerned, if any. */
  callId?: number;
  /** What happened, with the times (never a secret: key ids only). */
  detail: string;
}

/** The one-line command that replays `seed` with a trace. */
export function replayCommand(seed: number): string {
  return `npm run sim -- --seed ${seed} --verbose`;
}

/** Seconds with millisecond precision, for messages. */
export function secondsOf(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** A violation as one report line plus its replay line. */
export function formatViolation(violation: Violation): string {
  const who = violation.callId === undefined ? '' : ` call #${violation.callId}`;
  return (
    `seed ${violation.seed} ${violation.invariant}${who} at ${secondsOf(violation.atMs)}: ${violation.detail}\n` +
    `  replay: ${replayCommand(violation.seed)}`
  );
}
