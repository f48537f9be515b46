import { describe, expect, it } from 'vitest';
import { isRetryableError } from '../../../src/errors/is-retryable-error.js';
import { FailoverSecretSource } from '../../../src/kms/failover/index.js';
import { KmsError } from '../../../src/kms/kms-error.js';
import type { SecretInfo } from '../../../src/kms/secret-info.js';
import { EarlyFiringClock, VirtualClock } from '../../support/virtual-clock.js';
import { notFound, ScriptedSource, throttled, unavailable, type Step } from './scripted-source.js';

type Outcome = { value: SecretInfo } | { error: unknown };
const settle = (promise: Promise<SecretInfo>): Promise<Outcome> =>
  promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

function setup(scripts: Step[][], options: { deadlineMs?: number; hedgeAfterMs?: number; reprobeAfterMs?: number } = {}) {
  const clock = new VirtualClock();
  const sources = scripts.map((steps, index) => new ScriptedSource(`src${index}`, clock, steps));
  const failover = new FailoverSecretSource({
    sources,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 1_000, capMs: 8_000 },
    deadlineMs: options.deadlineMs ?? 60_000,
    hedgeAfterMs: options.hedgeAfterMs ?? 3_000,
    reprobeAfterMs: options.reprobeAfterMs ?? 600_000,
  });
  return { clock, sources, failover };
}

const request = { secretName: 'oss-ram-ak' };

describe('FailoverSecretSource', () => {
  it('uses only the preferred source while it answers', async () => {
    const { clock, sources, failover } = setup([[{ answer: 'a' }], [{ answer: 'b' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
    expect(sources.map((s) => s.calls.length)).toEqual([1, 0]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not fail over on a non-retryable error', async () => {
    const { clock, sources, failover } = setup([[{ fail: notFound() }], [{ answer: 'b' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await outcome).toMatchObject({ error: { code: 'Forbidden.ResourceNotFound' } });
    expect(sources[1]?.calls).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('tries the others in parallel after a retryable error, takes the first success and aborts the losers', async () => {
    const { clock, sources, failover } = setup([
      [{ fail: throttled() }],
      [{ afterMs: 5_000, answer: 'slow b' }],
      [{ afterMs: 100, answer: 'c' }],
    ]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(200);
    expect(await outcome).toMatchObject({ value: { secretData: 'c' } });
    expect(sources.map((s) => s.calls.length)).toEqual([1, 1, 1]);
    expect(sources[1]?.aborted).toBe(1);
    expect(failover.healthySourceIndex).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts with the healthy source next time and re-probes the preferred one later', async () => {
    const { clock, sources, failover } = setup(
      [[{ fail: unavailable() }, { answer: 'a' }], [{ answer: 'b' }]],
      { reprobeAfterMs: 600_000 },
    );
    const first = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await first).toMatchObject({ value: { secretData: 'b' } });
    const [preferred, fallback] = sources as [ScriptedSource, ScriptedSource];
    // The preferred source's backoff retry was aborted once b answered.
    expect(preferred.calls).toHaveLength(1);

    await clock.advance(60_000);
    const second = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await second).toMatchObject({ value: { secretData: 'b' } });
    expect([preferred.calls.length, fallback.calls.length]).toEqual([1, 2]);

    await clock.advance(600_000);
    const third = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await third).toMatchObject({ value: { secretData: 'a' } });
    expect([preferred.calls.length, fallback.calls.length]).toEqual([2, 2]);
    expect(failover.healthySourceIndex).toBe(0);
  });

  it('keeps the fallback for another period when the re-probe fails', async () => {
    const { clock, sources, failover } = setup([[{ fail: unavailable() }], [{ answer: 'b' }]], { reprobeAfterMs: 1_000 });
    await clock.advance(0);
    for (let i = 0; i < 2; i++) {
      const outcome = settle(failover.getSecretValue(request));
      await clock.advance(0);
      expect(await outcome).toMatchObject({ value: { secretData: 'b' } });
      await clock.advance(2_000);
    }
    // Both calls were re-probes of the preferred source (the period had passed each time).
    expect(sources.map((s) => s.calls.length)).toEqual([2, 2]);
    const third = settle(failover.getSecretValue(request));
    await clock.advance(0);
    await third;
    // A failed re-probe restarts the period, so the next call starts with the fallback.
    const fourth = settle(failover.getSecretValue(request));
    await clock.advance(0);
    await fourth;
    expect(sources.map((s) => s.calls.length)).toEqual([3, 4]);
  });

  it('hedges a slow source: the others are tried after hedgeAfterMs, and the slow call is aborted', async () => {
    const { clock, sources, failover } = setup([[{ afterMs: 50_000, answer: 'late a' }], [{ afterMs: 10, answer: 'b' }]], {
      hedgeAfterMs: 3_000,
    });
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(2_999);
    expect(sources[1]?.calls).toHaveLength(0);
    await clock.advance(20);
    expect(await outcome).toMatchObject({ value: { secretData: 'b' } });
    expect(sources[0]?.aborted).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('takes the slow source if it still answers first after hedging', async () => {
    const { clock, failover } = setup([[{ afterMs: 4_000, answer: 'a' }], [{ fail: throttled() }]], { hedgeAfterMs: 3_000 });
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(4_000);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
    expect(failover.healthySourceIndex).toBe(0);
  });

  it('never fails early while another source may still succeed', async () => {
    const { clock, sources, failover } = setup([
      [{ fail: throttled() }, { fail: throttled() }, { fail: throttled() }, { answer: 'a' }],
      [{ fail: notFound() }],
      [{ afterMs: 10, fail: new KmsError('bad signature', { code: 'IncompleteSignature', retryable: false }) }],
    ]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(30_000);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
    // The non-retryable sources were tried once and then dropped out; the throttled one retried with backoff.
    expect(sources.map((s) => s.calls.length)).toEqual([4, 1, 1]);
  });

  it('fails with the first source’s error when every source has failed for good', async () => {
    const noPermission = new KmsError('denied', { code: 'Forbidden.NoPermission', httpStatus: 403, retryable: false });
    const { clock, failover } = setup([[{ fail: throttled() }, { fail: notFound() }], [{ fail: noPermission }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(10_000);
    expect(await outcome).toMatchObject({ error: { code: 'Forbidden.ResourceNotFound' } });
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries a single source with backoff until it answers', async () => {
    const { clock, sources, failover } = setup([[{ fail: unavailable() }, { fail: unavailable() }, { answer: 'a' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(sources[0]?.calls).toHaveLength(1);
    // random() = 0.5: the first retry waits 500 ms, the second 1 000 ms.
    await clock.advance(499);
    expect(sources[0]?.calls).toHaveLength(1);
    await clock.advance(1);
    expect(sources[0]?.calls).toHaveLength(2);
    await clock.advance(1_000);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
  });

  it('retries a throttled source after a spread that widens with the time it has been throttled', async () => {
    const { clock, sources, failover } = setup([[{ fail: throttled() }, { fail: throttled() }, { answer: 'a' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    // random() = 0.5: a fresh streak waits 0.5 s + 0.5 * (2 s - 0.5 s) = 1 250 ms; at a streak of 1 250 ms the
    // spread is [625, 2 500) ms: 625 + 0.5 * 1 875 = 1 562 ms.
    await clock.advance(1_249);
    expect(sources[0]?.calls).toHaveLength(1);
    await clock.advance(1);
    expect(sources[0]?.calls).toHaveLength(2);
    await clock.advance(1_561);
    expect(sources[0]?.calls).toHaveLength(2);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
    expect(sources[0]?.callOptions.map((c) => c.atMs)).toEqual([0, 1_250, 2_812]);
  });

  it('remembers a throttle streak across calls (a call that gave up does not restart the next from the narrowest spread) until a success', async () => {
    const { clock, sources, failover } = setup([[{ fail: throttled() }, { fail: throttled() }, { fail: throttled() }, { answer: 'a' }, { fail: throttled() }, { answer: 'b' }]]);
    // The first call's budget ends before its second retry (due at 2 812 ms): it gives up at 1 250 ms.
    const first = settle(failover.getSecretValue(request, { timeoutMs: 2_000 }));
    await clock.advance(2_000);
    expect(await first).toMatchObject({ error: { code: 'Kms.FetchTimeout' } });
    expect(sources[0]?.callOptions.map((c) => c.atMs)).toEqual([0, 1_250]);
    // The next call is throttled at 2 000 ms: the streak began at 0, so the spread is [1 000, 4 000) ms:
    // 1 000 + 0.5 * 3 000 = 2 500 ms, not the 1 250 ms of a fresh streak.
    const second = settle(failover.getSecretValue(request));
    await clock.advance(2_499);
    expect(sources[0]?.calls).toHaveLength(3);
    await clock.advance(1);
    expect(await second).toMatchObject({ value: { secretData: 'a' } });
    // The success ended the streak: a throttle now starts from the first window again (1 250 ms).
    const third = settle(failover.getSecretValue(request));
    await clock.advance(1_250);
    expect(await third).toMatchObject({ value: { secretData: 'b' } });
    expect(sources[0]?.callOptions.map((c) => c.atMs)).toEqual([0, 1_250, 2_000, 4_500, 4_500, 5_750]);
  });

  it("honours a throttled answer's hints: x-acs-retry-after (or TimeLeft) sets a floor, spread by a first-window draw", async () => {
    const hinted = new KmsError('throttled', { code: 'Rejected.Throttling', httpStatus: 429, retryable: true, throttleHints: { retryAfterMs: 4_000, limit: 450, remain: 0 } });
    const { clock, sources, failover } = setup([[{ fail: hinted }, { answer: 'a' }]]);
    const outcome = settle(failover.getSecretValue(request));
    // 4 000 ms + 0.5 * 2 000 ms.
    await clock.advance(4_999);
    expect(sources[0]?.calls).toHaveLength(1);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
  });

  it('gives up at the deadline with a retryable FetchTimeout naming what each source met', async () => {
    const { clock, sources, failover } = setup([[{ fail: throttled() }], [{ fail: unavailable() }]], { deadlineMs: 30_000 });
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(30_000);
    const result = await outcome;
    expect(result).toHaveProperty('error');
    const error = (result as { error: KmsError }).error;
    expect(error).toBeInstanceOf(KmsError);
    expect(error.code).toBe('Kms.FetchTimeout');
    expect(error.retryable).toBe(true);
    expect(error.source).toBe(failover.description);
    const calls = sources.map((s) => s.calls.length);
    expect(calls.every((n) => n > 2)).toBe(true);
    expect(error.message).toBe(
      `GetSecretValue of "oss-ram-ak" did not succeed within 30000 ms: src0 throttled (HTTP 400 Rejected.Throttling) ${calls[0]} times; ` +
        `src1 answered HTTP 503 ServiceUnavailableTemporary ${calls[1]} times`,
    );
    // The KMS-side reason: of each source's last error, the most telling one (the throttled answer, not the 503).
    expect(error.cause).toBe(sources[0]?.lastFailure);
    expect(error.cause).toMatchObject({ code: 'Rejected.Throttling' });
    // Nothing keeps running after the deadline.
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(sources.map((s) => s.calls.length)).toEqual(calls);
  });

  it('gives as cause the most telling KMS-side reason: a throttled answer over a later refused connection', async () => {
    const refused = new KmsError('refused', { code: 'Kms.NetworkError', retryable: true });
    const { clock, sources, failover } = setup(
      [[{ fail: throttled() }], [{ afterMs: 2_000, fail: refused }]],
      { deadlineMs: 10_000, hedgeAfterMs: 3_000 },
    );
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(10_000);
    const error = ((await outcome) as { error: KmsError }).error;
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', message: expect.stringMatching(/src0 throttled .*; src1 failed on the network/) });
    expect(error.cause).toBe(sources[0]?.lastFailure);
  });

  it('keeps the process alive while a caller awaits it: through retry sleeps after throttled answers, up to the end', async () => {
    const { clock, sources, failover } = setup([[{ fail: throttled() }, { fail: throttled() }, { afterMs: 100, answer: 'a' }]]);
    const outcome = settle(failover.getSecretValue(request));
    // Retries at 1 250 and 2 812 ms (random 0.5); in between only sleeps and the deadline are pending.
    for (let atMs = 0; atMs < 2_500; atMs += 500) {
      await clock.advance(500);
      expect(clock.keepAliveTimers, `at ${clock.monotonicNow()} ms`).toBeGreaterThan(0);
    }
    await clock.advance(412);
    expect(await outcome).toMatchObject({ value: { secretData: 'a' } });
    expect(clock.pendingTimers).toBe(0);
    // Each request is told to keep the process alive too.
    expect(sources[0]?.keepAlive).toEqual([true, true, true]);
  });

  it('with keepAlive: false (a background fetch) arms no timer that keeps the process alive, and says so to its sources', async () => {
    const { clock, sources, failover } = setup([
      [{ fail: throttled() }, { fail: throttled() }, { fail: throttled() }, { answer: 'a' }],
      [{ afterMs: 5_000, answer: 'b' }],
    ]);
    const outcome = settle(failover.getSecretValue(request, { keepAlive: false }));
    // src0 is throttled at 0, 1 250 and 2 812 ms (its next retry would be at 6 327 ms), src1 answers at 5 000 ms.
    for (let step = 0; step < 9; step++) {
      await clock.advance(500);
      expect(clock.pendingTimers).toBeGreaterThan(0);
      expect(clock.keepAliveTimers).toBe(0);
    }
    await clock.advance(500);
    expect(await outcome).toMatchObject({ value: { secretData: 'b' } });
    expect(sources.map((s) => s.keepAlive)).toEqual([[false, false, false], [false]]);
  });

  it('has a 30 s budget by default', async () => {
    const clock = new VirtualClock();
    const source = new ScriptedSource('never', clock, [{ afterMs: Infinity, answer: 'a' }]);
    const failover = new FailoverSecretSource({ sources: [source], clock });
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(29_999);
    expect(source.aborted).toBe(0);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ error: { code: 'Kms.FetchTimeout', message: expect.stringContaining('within 30000 ms') } });
    expect(source.aborted).toBe(1);
  });

  it('does not time out before its deadline when timers fire early', async () => {
    const clock = new EarlyFiringClock();
    const sources = [new ScriptedSource('never', clock, [{ afterMs: Infinity, answer: 'a' }])];
    const failover = new FailoverSecretSource({ sources, clock, deadlineMs: 5_000 });
    const outcome = settle(failover.getSecretValue(request));
    let done = false;
    void outcome.then(() => (done = true));
    await clock.advance(4_999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(await outcome).toMatchObject({ error: { code: 'Kms.FetchTimeout' } });
  });

  it('takes the per-call timeoutMs when it is smaller than deadlineMs, and deadlineMs when that is smaller', async () => {
    const { clock, sources, failover } = setup([[{ afterMs: Infinity, answer: 'a' }]], { deadlineMs: 20_000 });
    const shorter = settle(failover.getSecretValue(request, { timeoutMs: 5_000 }));
    await clock.advance(4_999);
    expect(sources[0]?.aborted).toBe(0);
    await clock.advance(1);
    const error = ((await shorter) as { error: KmsError }).error;
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect(error.message).toBe(
      'GetSecretValue of "oss-ram-ak" did not succeed within 5000 ms: src0 had no answer by the deadline (request in flight for 5000 ms)',
    );
    // The source was handed the whole budget as its own timeoutMs.
    expect(sources[0]?.callOptions[0]?.timeoutMs).toBe(5_000);

    const longer = settle(failover.getSecretValue(request, { timeoutMs: 60_000 }));
    await clock.advance(20_000);
    expect(await longer).toMatchObject({ error: { code: 'Kms.FetchTimeout', message: expect.stringContaining('within 20000 ms') } });
    expect(clock.pendingTimers).toBe(0);
  });

  it('hands each retry the time left and sends nothing once the next backoff would end past the deadline', async () => {
    // random() = 0.5, backoff base 1 000: retries wait 500, 1 000, 2 000, 4 000 ms.
    const { clock, sources, failover } = setup([[{ afterMs: 100, fail: unavailable() }]], { deadlineMs: 60_000 });
    const outcome = settle(failover.getSecretValue(request, { timeoutMs: 5_000 }));
    await clock.advance(5_000);
    const source = sources[0] as ScriptedSource;
    // Calls at 0, 600, 1 700, 3 800; the one after would start at 3 900 + 4 000, past the deadline.
    expect(source.callOptions).toEqual([
      { timeoutMs: 5_000, atMs: 0 },
      { timeoutMs: 4_400, atMs: 600 },
      { timeoutMs: 3_300, atMs: 1_700 },
      { timeoutMs: 1_200, atMs: 3_800 },
    ]);
    // It gave up as soon as no retry could fit, before the deadline.
    const error = ((await outcome) as { error: KmsError }).error;
    expect(error.message).toContain('within 5000 ms: src0 answered HTTP 503 ServiceUnavailableTemporary 4 times');
    expect(clock.pendingTimers).toBe(0);
  });

  it('names a source still in flight and one not tried yet in the FetchTimeout message', async () => {
    const { clock, failover } = setup(
      [[{ afterMs: Infinity, answer: 'a' }], [{ fail: unavailable() }], [{ answer: 'c' }]],
      { deadlineMs: 2_000, hedgeAfterMs: 3_000 },
    );
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(2_000);
    const error = ((await outcome) as { error: KmsError }).error;
    expect(error.message).toBe(
      'GetSecretValue of "oss-ram-ak" did not succeed within 2000 ms: src0 had no answer by the deadline (request in flight for 2000 ms); ' +
        'src1 was not tried; src2 was not tried',
    );
    // Nothing failed (one request in flight, the others not tried): no reason to give.
    expect(error.cause).toBeUndefined();
  });

  it('rejects a negative or NaN timeoutMs with InvalidTimeout', async () => {
    const { failover, sources } = setup([[{ answer: 'a' }]]);
    await expect(failover.getSecretValue(request, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'Kms.InvalidOptions' });
    await expect(failover.getSecretValue(request, { timeoutMs: Number.NaN })).rejects.toThrow(/timeoutMs/);
    expect(sources[0]?.calls).toHaveLength(0);
  });

  it('honours the caller’s AbortSignal and aborts the calls in flight', async () => {
    const { clock, sources, failover } = setup([[{ afterMs: 100_000, answer: 'a' }], [{ afterMs: 100_000, answer: 'b' }]]);
    const controller = new AbortController();
    const outcome = settle(failover.getSecretValue(request, { signal: controller.signal }));
    await clock.advance(5_000);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(await outcome).toEqual({ error: reason });
    expect(sources.map((s) => s.aborted)).toEqual([1, 1]);
    expect(clock.pendingTimers).toBe(0);
    await expect(failover.getSecretValue(request, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('close() rejects calls in flight, closes every source and refuses new calls', async () => {
    const { clock, sources, failover } = setup([[{ afterMs: 100_000, answer: 'a' }], [{ answer: 'b' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(10);
    await Promise.all([failover.close(), failover.close()]);
    expect(await outcome).toMatchObject({ error: { code: 'Kms.SourceClosed' } });
    expect(sources.map((s) => s.closed)).toEqual([1, 1]);
    await expect(failover.getSecretValue(request)).rejects.toMatchObject({ code: 'Kms.SourceClosed' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats errors without retryable: true as final', async () => {
    expect(isRetryableError(throttled())).toBe(true);
    expect(isRetryableError(notFound())).toBe(false);
    expect(isRetryableError(new TypeError('bug'))).toBe(false);
    expect(isRetryableError('text')).toBe(false);
    const { clock, sources, failover } = setup([[{ fail: new TypeError('bug in a custom source') }], [{ answer: 'b' }]]);
    const outcome = settle(failover.getSecretValue(request));
    await clock.advance(0);
    expect(await outcome).toMatchObject({ error: { message: 'bug in a custom source' } });
    expect(sources[1]?.calls).toHaveLength(0);
  });

  it('rejects an empty source list and bad timing options', () => {
    expect(() => new FailoverSecretSource({ sources: [] })).toThrow(expect.objectContaining({ code: 'Kms.InvalidOptions' }));
    const source = new ScriptedSource('x', new VirtualClock(), [{ answer: 'a' }]);
    expect(() => new FailoverSecretSource({ sources: [source], deadlineMs: -1 })).toThrow(/deadlineMs/);
    expect(() => new FailoverSecretSource({ sources: [source], backoff: { baseMs: Number.NaN, capMs: 1 } })).toThrow(
      /backoff\.baseMs/,
    );
  });
});
