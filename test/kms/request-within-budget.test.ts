import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { requestWithinBudget } from '../../src/kms/request-within-budget.js';
import type { GetSecretValueOptions } from '../../src/kms/secret-source.js';
import { EarlyFiringClock, VirtualClock } from '../support/virtual-clock.js';

const SOURCE = 'dkms(kms.test)';

/** A virtual clock whose monotonic time can be stepped ahead of its timers (they fire on the unstepped time). */
class SteppingClock extends VirtualClock {
  stepMs = 0;
  override monotonicNow(): number {
    return super.monotonicNow() + this.stepMs;
  }
}

/** A fake request: settles after `afterMs` of virtual time (never, for Infinity), honouring its signal. */
function fakeRequest(clock: VirtualClock, outcome: { afterMs: number; value?: string; error?: unknown }) {
  const sent: { signal: AbortSignal; remainingMs: number; atMs: number }[] = [];
  const send = (signal: AbortSignal, remainingMs: number): Promise<string> => {
    sent.push({ signal, remainingMs, atMs: clock.monotonicNow() });
    return new Promise<string>((resolve, reject) => {
      const timer =
        outcome.afterMs === Infinity
          ? undefined
          : clock.setTimeout(() => (outcome.error === undefined ? resolve(outcome.value ?? 'ok') : reject(outcome.error)), outcome.afterMs);
      signal.addEventListener('abort', () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        reject(signal.reason);
      });
    });
  };
  return { send, sent };
}

function call(clock: VirtualClock, send: (signal: AbortSignal, remainingMs: number) => Promise<string>, options: GetSecretValueOptions) {
  const result: { settled?: { value: string } | { error: unknown } } = {};
  const done = requestWithinBudget(send, options, { clock, secretName: 'oss-ak', source: SOURCE }).then(
    (value) => (result.settled = { value }),
    (error: unknown) => (result.settled = { error }),
  );
  return { result, done };
}

const unavailable = () => new KmsError('busy', { code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true });

describe('requestWithinBudget: the one request of a source', () => {
  it('sends once with the whole budget and resolves with the answer, leaving no timer', async () => {
    const clock = new VirtualClock();
    const { send, sent } = fakeRequest(clock, { afterMs: 300, value: 'secret info' });
    const { result } = call(clock, send, { timeoutMs: 2_000 });
    await clock.advance(300);
    expect(result.settled).toEqual({ value: 'secret info' });
    expect(sent.map((s) => [s.atMs, s.remainingMs])).toEqual([[0, 2_000]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with a failure before the deadline as is (no retry, no FetchTimeout)', async () => {
    const clock = new VirtualClock();
    const error = unavailable();
    const { send, sent } = fakeRequest(clock, { afterMs: 100, error });
    const { result } = call(clock, send, { timeoutMs: 2_000 });
    await clock.advance(5_000);
    expect(result.settled).toEqual({ error });
    expect(sent).toHaveLength(1);
  });

  it('aborts a request still running at the deadline, not a moment before, and rejects with FetchTimeout', async () => {
    const clock = new EarlyFiringClock();
    const { send, sent } = fakeRequest(clock, { afterMs: Infinity });
    const { result } = call(clock, send, { timeoutMs: 1_000 });
    await clock.advance(999);
    expect(result.settled).toBeUndefined();
    await clock.advance(1);
    const error = (result.settled as { error: KmsError }).error;
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, source: SOURCE });
    expect(error.message).toBe(`GetSecretValue of "oss-ak" did not succeed within 1000 ms: ${SOURCE} had no answer by the deadline (request in flight for 1000 ms)`);
    expect(error.cause).toBeUndefined();
    expect(sent[0]?.signal.aborted).toBe(true);
    expect(sent[0]?.signal.reason).toBe(error);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a retryable failure seen at the deadline (a timeout clipped to it) as a FetchTimeout naming it, with it as cause', async () => {
    // The request's own timeout and the deadline fall on the same instant; here the request's failure is
    // seen first (monotonic time is at the deadline, the deadline's timer has not run yet).
    const clock = new SteppingClock();
    let fail: (error: unknown) => void = () => undefined;
    const send = () => new Promise<string>((_resolve, reject) => (fail = reject));
    const { result } = call(clock, send, { timeoutMs: 1_000 });
    await clock.advance(0);
    clock.stepMs = 1_000;
    const readTimeout = new KmsError('read timeout', { code: 'Kms.ReadTimeout', retryable: true });
    fail(readTimeout);
    await clock.advance(0);
    const error = (result.settled as { error: KmsError }).error;
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect(error.message).toBe(`GetSecretValue of "oss-ak" did not succeed within 1000 ms: ${SOURCE} timed out waiting for an answer (Kms.ReadTimeout)`);
    expect(error.cause).toBe(readTimeout);
  });

  it('rejects at once with the caller’s abort reason and aborts the request with it', async () => {
    const clock = new VirtualClock();
    const { send, sent } = fakeRequest(clock, { afterMs: Infinity });
    const controller = new AbortController();
    const { result } = call(clock, send, { signal: controller.signal, timeoutMs: 10_000 });
    await clock.advance(50);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await clock.advance(0);
    expect(result.settled).toEqual({ error: reason });
    expect(sent[0]?.signal.reason).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    // An already aborted signal sends nothing.
    const again = call(clock, send, { signal: controller.signal });
    await again.done;
    expect(again.result.settled).toEqual({ error: reason });
    expect(sent).toHaveLength(1);
  });

  it('keeps the process alive while awaited, unless keepAlive is false', async () => {
    for (const keepAlive of [undefined, true, false]) {
      const clock = new VirtualClock();
      const { send } = fakeRequest(clock, { afterMs: Infinity });
      const { result } = call(clock, send, { timeoutMs: 1_000, ...(keepAlive === undefined ? {} : { keepAlive }) });
      await clock.advance(500);
      expect(clock.keepAliveTimers, `keepAlive ${keepAlive}`).toBe(keepAlive === false ? 0 : 1);
      await clock.advance(500);
      expect(result.settled).toMatchObject({ error: { code: 'Kms.FetchTimeout' } });
    }
  });

  it('sends nothing with a used-up budget or a bad timeoutMs', async () => {
    const clock = new VirtualClock();
    const { send, sent } = fakeRequest(clock, { afterMs: 0 });
    const zero = call(clock, send, { timeoutMs: 0 });
    await clock.advance(0);
    expect(zero.result.settled).toMatchObject({ error: { code: 'Kms.FetchTimeout' } });
    const negative = call(clock, send, { timeoutMs: -1 });
    await negative.done;
    expect(negative.result.settled).toMatchObject({ error: { code: 'Kms.InvalidOptions' } });
    expect(sent).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
