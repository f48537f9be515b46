/**
 * One recovery from a held AccessKey that OSS rejected (or, `suspected`, only hinted at with a code-less 403),
 * from the first report until KMS answers with another key or the key is accepted again.
 *
 * The one rule every reader follows: only a KMS answer to a request sent after the first report
 * (`reportedAt`) can end the doubt. Until such an answer, a confirmed rejected key is held back
 * ({@link holdsBack}): callers wait for the fetch that may replace it instead of sending requests that are
 * bound to fail. An answer that brings the same key again is KMS's word (`answered`): the key is served again
 * (OSS may accept it late: each confirmation lets calls try it once more, and the first request OSS accepts
 * ends the episode) while the cache re-asks at the recovery pace. A report after a confirmation holds the key
 * back again until the next answer, at the pace reached so far. Reports while the key is held back change
 * nothing, so a fetch sent between two reports still counts.
 */
export interface RecoveryEpisode {
  /** The held AccessKeyId that was reported. */
  readonly accessKeyId: string;
  /**
   * Logical time of the report that holds the key back (a counter shared with fetch starts): the one that
   * opened the episode, or the first one after KMS last confirmed the key.
   */
  reportedAt: number;
  /** Only code-less 403s so far: the key is neither marked rejected nor held back, and re-asked slower. */
  readonly suspected: boolean;
  /** KMS answered a request sent after `reportedAt`, with this same key: the key is served again. */
  answered: boolean;
  /** Last time a caller met the key rejected, monotonic ms; without demand the background re-asking idles out. */
  lastDemandAtMonoMs: number;
}

/** A caller's report that the held key was rejected. */
export interface RejectionReport {
  readonly accessKeyId: string;
  readonly suspected: boolean;
  /** Logical time of the report. */
  readonly at: number;
  /** Monotonic now. */
  readonly nowMs: number;
}

/**
 * The episode after a report about the held key. A new episode (`opened: true`, the recovery pace starts
 * afresh) when none runs for this key, or when a confirmed rejection follows a mere suspicion; otherwise the
 * same episode with its demand renewed, held back again if KMS had confirmed the key since the last report.
 */
export function reportRejection(
  episode: RecoveryEpisode | undefined,
  report: RejectionReport,
): { episode: RecoveryEpisode; opened: boolean } {
  const { accessKeyId, suspected, at, nowMs } = report;
  if (episode === undefined || episode.accessKeyId !== accessKeyId || (episode.suspected && !suspected)) {
    return { episode: { accessKeyId, reportedAt: at, suspected, answered: false, lastDemandAtMonoMs: nowMs }, opened: true };
  }
  episode.lastDemandAtMonoMs = nowMs;
  if (episode.answered && !suspected) {
    // Rejected again after KMS confirmed it: known rejected once more, until the next answer (at the pace
    // reached so far: this is not a new episode, so it is not asked at once).
    episode.answered = false;
    episode.reportedAt = at;
  }
  return { episode, opened: false };
}

/**
 * The episode after a KMS answer that holds `accessKeyId`, fetched with a request started at logical time
 * `sequence`. Another key ends the episode (`undefined`); the same key in answer to a request sent after
 * the report marks it `answered` (a confirmation); an older answer changes nothing.
 */
export function answerEpisode(
  episode: RecoveryEpisode | undefined,
  answer: { accessKeyId: string | undefined; sequence: number },
): { episode: RecoveryEpisode | undefined; confirmed: boolean } {
  if (episode === undefined) return { episode, confirmed: false };
  if (answer.accessKeyId !== episode.accessKeyId) return { episode: undefined, confirmed: false };
  if (answer.sequence <= episode.reportedAt) return { episode, confirmed: false };
  episode.answered = true;
  return { episode, confirmed: true };
}

/** Whether `heldAccessKeyId` must not be handed out: confirmed rejected, and KMS has not answered since. */
export function holdsBack(episode: RecoveryEpisode | undefined, heldAccessKeyId: string | undefined): boolean {
  return episode !== undefined && !episode.suspected && !episode.answered && episode.accessKeyId === heldAccessKeyId;
}
