import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY_MS } from '../../src/runtime/clock.js';
import {
  RetriesExhaustedError,
  retryWithBackoff,
  type RetryAttemptContext,
  type RetryAttemptFailure,
  type RetryWithBackoffOptions,
} from '../../src/runtime/retry-with-backoff.js';
import { EarlyFiringClock, VirtualClock } from '../support/virtual-clock.js';

class Failure extends Error {
  constructor(
    readonly retryable: boolean,
    label: string,
  ) {
    super(label);
  }
}

/** One scripted attempt: settles after `afterMs` of virtual time, or never (`afterMs: Infinity`), honouring the signal. */
type Step = { afterMs?: number; value: string } | { afterMs?: number; error: Failure };

function scripted(clock: VirtualClock, steps: Step[]) {
  const contexts: (RetryAttemptContext & { atMs: number })[] = [];
  const attempt = (context: RetryAttemptContext): Promise<string> => {
    contexts.push({ ...context, atMs: clock.monotonicNow() });
    const step = steps[Math.min(contexts.length - 1, steps.length - 1)] as Step;
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        reject(context.signal.reason);
      };
      context.signal.addEventListener('abort', onAbort, { once: true });
      const afterMs = step.afterMs ?? 0;
      const timer =
        afterMs === Infinity
          ? undefined
          : clock.setTimeout(() => {
              context.signal.removeEventListener('abort', onAbort);
              if ('value' in step) resolve(step.value);
              else reject(step.error);
            }, afterMs);
    });
  };
  return { attempt, contexts };
}

type Outcome = { value: string } | { error: unknown };
const settle = (promise: Promise<string>): { outcome: Outcome | undefined; done: Promise<Outcome> } => {
  const holder: { outcome: Outcome | undefined; done: Promise<Outcome> } = { outcome: undefined, done: undefined as never };
  holder.done = promise.then(
    (value) => (holder.outcome = { value }),
    (error: unknown) => (holder.outcome = { error }),
  );
  return holder;
};

const retryable = () => new Failure(true, 'busy');
const final = () => new Failure(false, 'no such thing');

function options(clock: VirtualClock, extra: Partial<RetryWithBackoffOptions> = {}): RetryWithBackoffOptions {
  return {
    clock,
    isRetryable: (error) => error instanceof Failure && error.retryable,
    backoff: { baseMs: 100, capMs: 1_000 },
    random: () => 0.5,
    ...extra,
  };
}

describe('retryWithBackoff', () => {
  it('retries retryable failures with full-jitter delays and resolves with the first success', async () => {
    const clock = new VirtualClock();
    const { attempt, contexts } = scripted(clock, [{ error: retryable() }, { error: retryable() }, { error: retryable() }, { value: 'ok' }]);
    const failures: RetryAttemptFailure[] = [];
    const call = settle(retryWithBackoff(attempt, options(clock, { onAttemptFailed: (f) => failures.push(f) })));
    await clock.advance(10_000);
    expect(call.outcome).toEqual({ value: 'ok' });
    // random() = 0.5: half of min(cap, base * 2^n) = 50, 100, 200 ms.
    expect(contexts.map((c) => c.atMs)).toEqual([0, 50, 150, 350]);
    expect(contexts.map((c) => c.attempt)).toEqual([0, 1, 2, 3]);
    expect(contexts.every((c) => c.remainingMs === Infinity)).toBe(true);
    expect(failures.map((f) => [f.attempt, f.retryable, f.retryInMs])).toEqual([
      [0, true, 50],
      [1, true, 100],
      [2, true, 200],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rethrows a non-retryable error as is, without another attempt', async () => {
    const clock = new VirtualClock();
    const error = final();
    const { attempt, contexts } = scripted(clock, [{ error: retryable() }, { error }, { value: 'never' }]);
    const failures: RetryAttemptFailure[] = [];
    const call = settle(retryWithBackoff(attempt, options(clock, { onAttemptFailed: (f) => failures.push(f) })));
    await clock.advance(10_000);
    expect(call.outcome).toEqual({ error });
    expect(contexts).toHaveLength(2);
    expect(failures.map((f) => [f.retryable, f.retryInMs])).toEqual([
      [true, 50],
      [false, undefined],
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up after maxAttempts with RetriesExhaustedError (attempts) carrying every failure', async () => {
    const clock = new VirtualClock();
    const errors = [retryable(), retryable(), retryable()];
    const { attempt, contexts } = scripted(clock, errors.map((error) => ({ error })));
    const call = settle(retryWithBackoff(attempt, options(clock, { maxAttempts: 3 })));
    await clock.advance(10_000);
    expect(contexts).toHaveLength(3);
    const error = (call.outcome as { error: RetriesExhaustedError }).error;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.reason).toBe('attempts');
    expect(error.failures.map((f) => f.error)).toEqual(errors);
    expect(error.failures.at(-1)?.retryInMs).toBeUndefined();
    expect(error.lastError).toBe(errors[2]);
    expect(error.inFlight).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts the attempt in flight exactly at the deadline and starts none after it', async () => {
    const clock = new VirtualClock();
    const { attempt, contexts } = scripted(clock, [{ afterMs: 300, error: retryable() }, { afterMs: Infinity, value: 'late' }]);
    const call = settle(retryWithBackoff(attempt, options(clock, { deadlineAtMs: 1_000 })));
    await clock.advance(999);
    expect(call.outcome).toBeUndefined();
    expect(contexts.map((c) => [c.atMs, c.remainingMs])).toEqual([
      [0, 1_000],
      [350, 650],
    ]);
    const secondSignal = contexts[1]?.signal as AbortSignal;
    expect(secondSignal.aborted).toBe(false);
    await clock.advance(1);
    const error = (call.outcome as { error: RetriesExhaustedError }).error;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.reason).toBe('deadline');
    expect(error.failures).toHaveLength(1);
    expect(error.inFlight).toEqual({ attempt: 1, startedAtMs: 350, elapsedMs: 650 });
    expect(secondSignal.aborted).toBe(true);
    expect(secondSignal.reason).toBe(error);
    await clock.advance(60_000);
    expect(contexts).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not sleep past the deadline: gives up as soon as the next backoff would end at or after it', async () => {
    const clock = new VirtualClock();
    const { attempt, contexts } = scripted(clock, [{ afterMs: 100, error: retryable() }]);
    // Attempts at 0 (fails at 100), 150 (fails at 250), 350 (fails at 450); the next backoff (200 ms) would end at 650.
    const call = settle(retryWithBackoff(attempt, options(clock, { deadlineAtMs: 600 })));
    await clock.advance(450);
    const error = (call.outcome as { error: RetriesExhaustedError }).error;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.reason).toBe('deadline');
    expect(contexts.map((c) => c.atMs)).toEqual([0, 150, 350]);
    expect(error.inFlight).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('settles at the deadline even when the attempt ignores its signal', async () => {
    const clock = new VirtualClock();
    const call = settle(retryWithBackoff(() => new Promise<string>(() => undefined), options(clock, { deadlineAtMs: 500 })));
    await clock.advance(500);
    expect((call.outcome as { error: RetriesExhaustedError }).error).toMatchObject({ reason: 'deadline', inFlight: { elapsedMs: 500 } });
  });

  it('never gives up before the deadline, even when its timer fires early', async () => {
    const clock = new EarlyFiringClock();
    const call = settle(retryWithBackoff(() => new Promise<string>(() => undefined), options(clock, { deadlineAtMs: 1_000 })));
    await clock.advance(999);
    expect(call.outcome).toBeUndefined();
    await clock.advance(1);
    expect(call.outcome).toMatchObject({ error: { reason: 'deadline', inFlight: { elapsedMs: 1_000 } } });
  });

  it('counts a retryable failure at the deadline as the deadline’s, even on the last allowed attempt', async () => {
    const clock = new VirtualClock();
    const { attempt } = scripted(clock, [{ afterMs: 500, error: retryable() }]);
    const atDeadline = settle(retryWithBackoff(attempt, options(clock, { maxAttempts: 1, deadlineAtMs: 500 })));
    const before = settle(retryWithBackoff(attempt, options(clock, { maxAttempts: 1, deadlineAtMs: 501 })));
    await clock.advance(500);
    expect(atDeadline.outcome).toMatchObject({ error: { reason: 'deadline' } });
    expect(before.outcome).toMatchObject({ error: { reason: 'attempts' } });
  });

  it('starts nothing when the deadline has already passed', async () => {
    const clock = new VirtualClock();
    await clock.advance(1_000);
    const { attempt, contexts } = scripted(clock, [{ value: 'ok' }]);
    await expect(retryWithBackoff(attempt, options(clock, { deadlineAtMs: 1_000 }))).rejects.toMatchObject({
      reason: 'deadline',
      failures: [],
    });
    expect(contexts).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('re-arms a deadline longer than the largest timer delay', async () => {
    const clock = new VirtualClock();
    const deadlineAtMs = MAX_TIMER_DELAY_MS + 5_000;
    const call = settle(retryWithBackoff(() => new Promise<string>(() => undefined), options(clock, { deadlineAtMs })));
    await clock.advance(MAX_TIMER_DELAY_MS + 4_999);
    expect(call.outcome).toBeUndefined();
    await clock.advance(1);
    expect(call.outcome).toMatchObject({ error: { reason: 'deadline' } });
  });

  it('rejects with the caller’s abort reason during a backoff sleep and during an attempt', async () => {
    const clock = new VirtualClock();
    const sleeping = new AbortController();
    const first = scripted(clock, [{ error: retryable() }]);
    const duringSleep = settle(retryWithBackoff(first.attempt, options(clock, { signal: sleeping.signal, deadlineAtMs: 10_000 })));
    await clock.advance(10);
    const reason = new Error('caller gave up');
    sleeping.abort(reason);
    await clock.advance(0);
    expect(duringSleep.outcome).toEqual({ error: reason });
    await clock.advance(1_000);
    expect(first.contexts).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);

    const inFlight = new AbortController();
    const second = scripted(clock, [{ afterMs: Infinity, value: 'never' }]);
    const duringAttempt = settle(retryWithBackoff(second.attempt, options(clock, { signal: inFlight.signal })));
    await clock.advance(10);
    inFlight.abort(reason);
    await clock.advance(0);
    expect(duringAttempt.outcome).toEqual({ error: reason });
    expect(second.contexts[0]?.signal.reason).toBe(reason);
    await expect(retryWithBackoff(second.attempt, options(clock, { signal: inFlight.signal }))).rejects.toBe(reason);
    expect(second.contexts).toHaveLength(1);
  });

  it('keeps the process alive by default while it waits: during attempts, backoff sleeps and up to the deadline', async () => {
    const clock = new VirtualClock();
    // Attempts take 10 ms and fail; sleeps of 50, 100, 200, 400 ms... between them: the steps below land in both.
    const { attempt } = scripted(clock, [{ afterMs: 10, error: retryable() }]);
    const call = settle(retryWithBackoff(attempt, options(clock, { deadlineAtMs: 5_000 })));
    for (let step = 0; step < 40; step++) {
      await clock.advance(37);
      expect(clock.keepAliveTimers).toBeGreaterThan(0);
    }
    await clock.advance(5_000);
    expect(call.outcome).toMatchObject({ error: { reason: 'deadline' } });
    expect(clock.pendingTimers).toBe(0);

    // Without a deadline too: an attempt that never settles still holds the process open.
    const endless = settle(retryWithBackoff(() => new Promise<string>(() => undefined), options(clock)));
    await clock.advance(60_000);
    expect(endless.outcome).toBeUndefined();
    expect(clock.keepAliveTimers).toBe(1);
  });

  it('with keepAlive: false (background work) arms only timers that do not keep the process alive', async () => {
    const clock = new VirtualClock();
    const { attempt } = scripted(clock, [{ afterMs: 10, error: retryable() }]);
    const call = settle(retryWithBackoff(attempt, options(clock, { deadlineAtMs: 5_000, keepAlive: false })));
    for (let step = 0; step < 10; step++) {
      await clock.advance(37);
      expect(clock.pendingTimers).toBeGreaterThan(0);
      expect(clock.keepAliveTimers).toBe(0);
    }
    await clock.advance(5_000);
    expect(call.outcome).toMatchObject({ error: { reason: 'deadline' } });
    expect(clock.pendingTimers).toBe(0);
  });

  it('ends with the error of a throwing hook, and treats a synchronous throw of the attempt as a failure', async () => {
    const clock = new VirtualClock();
    const hookError = new Error('hook broke');
    const { attempt } = scripted(clock, [{ error: retryable() }]);
    const call = settle(retryWithBackoff(attempt, options(clock, { onAttemptFailed: () => { throw hookError; } })));
    await clock.advance(1_000);
    expect(call.outcome).toEqual({ error: hookError });
    expect(clock.pendingTimers).toBe(0);

    const thrown = final();
    await expect(
      retryWithBackoff(() => {
        throw thrown;
      }, options(clock)),
    ).rejects.toBe(thrown);
  });

  it('refuses maxAttempts below 1', () => {
    const clock = new VirtualClock();
    expect(() => retryWithBackoff(() => Promise.resolve('x'), options(clock, { maxAttempts: 0 }))).toThrow(RangeError);
  });
});
