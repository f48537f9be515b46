import { describe, expect, it } from 'vitest';
import { answerEpisode, holdsBack, reportRejection, type RecoveryEpisode } from '../../src/cache/recovery-episode.js';

const report = (accessKeyId: string, at: number, suspected = false) => ({ accessKeyId, suspected, at, nowMs: at * 10 });

describe('reportRejection', () => {
  it.each([
    { name: 'the first report opens an episode', before: undefined, report: report('K1', 5), opened: true, reportedAt: 5 },
    { name: 'a report of another key opens a new one', before: 'K0@3', report: report('K1', 5), opened: true, reportedAt: 5 },
    { name: 'another report of the same key changes nothing but the demand', before: 'K1@3', report: report('K1', 5), opened: false, reportedAt: 3 },
    { name: 'a confirmed rejection after a suspicion opens a new one', before: 'K1@3~', report: report('K1', 5), opened: true, reportedAt: 5 },
    { name: 'a suspicion during a confirmed episode changes nothing', before: 'K1@3', report: report('K1', 5, true), opened: false, reportedAt: 3 },
  ])('$name', ({ before, report: r, opened, reportedAt }) => {
    const episode = parse(before);
    const next = reportRejection(episode, r);
    expect(next.opened).toBe(opened);
    expect(next.episode.reportedAt).toBe(reportedAt);
    expect(next.episode.lastDemandAtMonoMs).toBe(r.nowMs);
  });
});

describe('answerEpisode and holdsBack', () => {
  it('only an answer to a request sent after the report confirms; until then the key is held back', () => {
    const { episode } = reportRejection(undefined, report('K1', 10));
    expect(holdsBack(episode, 'K1')).toBe(true);
    expect(answerEpisode(episode, { accessKeyId: 'K1', sequence: 9 })).toEqual({ episode, confirmed: false });
    expect(holdsBack(episode, 'K1')).toBe(true);
    expect(answerEpisode(episode, { accessKeyId: 'K1', sequence: 11 })).toMatchObject({ confirmed: true });
    expect(holdsBack(episode, 'K1')).toBe(false); // KMS's word: served again (OSS may accept it late)
    expect(answerEpisode(episode, { accessKeyId: 'K1', sequence: 12 }).episode).toBe(episode);
    // Rejected again after that confirmation: held back again until the next answer, in the same episode.
    expect(reportRejection(episode, report('K1', 13))).toMatchObject({ opened: false, episode: { reportedAt: 13 } });
    expect(holdsBack(episode, 'K1')).toBe(true);
    expect(answerEpisode(episode, { accessKeyId: 'K1', sequence: 12 })).toMatchObject({ confirmed: false });
    expect(answerEpisode(episode, { accessKeyId: 'K1', sequence: 14 })).toMatchObject({ confirmed: true });
  });

  it('an answer with another key ends the episode, whenever its request was sent', () => {
    const { episode } = reportRejection(undefined, report('K1', 10));
    expect(answerEpisode(episode, { accessKeyId: 'K2', sequence: 3 })).toEqual({ episode: undefined, confirmed: false });
  });

  it('a suspected key is never held back, and no episode holds back another key', () => {
    expect(holdsBack(reportRejection(undefined, report('K1', 1, true)).episode, 'K1')).toBe(false);
    expect(holdsBack(reportRejection(undefined, report('K1', 1)).episode, 'K2')).toBe(false);
    expect(holdsBack(undefined, 'K1')).toBe(false);
  });
});

/** `K1@3` (confirmed report at 3) or `K1@3~` (suspected). */
function parse(text: string | undefined): RecoveryEpisode | undefined {
  if (text === undefined) return undefined;
  const [accessKeyId, rest] = text.split('@') as [string, string];
  return { accessKeyId, reportedAt: Number.parseInt(rest, 10), suspected: rest.endsWith('~'), answered: false, lastDemandAtMonoMs: 0 };
}
