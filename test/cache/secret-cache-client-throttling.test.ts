import { describe, expect, it } from 'vitest';
import { KmsError } from '../../src/kms/kms-error.js';
import { flushPromises } from '../support/virtual-clock.js';
import { createCache, putRamKey, rotateRamKey, SECOND } from './cache-fixture.js';

/** A throttled answer, as the KMS sources surface HTTP 429 Rejected.Throttling. */
function throttled(): KmsError {
  return new KmsError('GetSecretValue of "oss-ak" failed: Rejected.Throttling (HTTP 429): QPS Limit Exceeded', {
    code: 'Rejected.Throttling',
    httpStatus: 429,
    retryable: true,
    source: 'in-memory',
  });
}

// random is fixed at 0.5: the first throttled answer (a streak of 0 ms) spreads the next attempt to
// 0.5 s + 0.5 * (2 s - 0.5 s) = 1.25 s; the second, 1.25 s into the streak, over [0.625 s, 2.5 s): 1.562 s after the answer.
const FIRST_SPREAD_MS = 1250;
const SECOND_SPREAD_MS = 1562;

/** A cache holding AK1 (loaded 10 s ago), with KMS now serving AK2 and OSS rejecting AK1. */
async function revoked() {
  const fixture = createCache();
  putRamKey(fixture.store, 'oss-ak', 'AK1');
  await fixture.client.getCredential('oss-ak');
  await fixture.clock.advance(10 * SECOND);
  rotateRamKey(fixture.store, 'oss-ak', 'AK2');
  return fixture;
}

describe('SecretCacheClient under KMS throttling', () => {
  it('a caller whose forced refresh is throttled waits for the next attempt (keeping the process alive) and gets the new key', async () => {
    const { client, source, clock, events } = await revoked();
    source.failNext(throttled());
    let settled = false;
    const refresh = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    void refresh.then(() => {
      settled = true;
    });
    await flushPromises();
    expect(source.callCount).toBe(2); // the load, and the throttled forced fetch
    expect(events.error).toEqual([expect.objectContaining({ trigger: 'forced', retryAtMs: clock.now() + FIRST_SPREAD_MS })]);
    expect(settled).toBe(false);
    expect(clock.keepAliveTimers).toBe(1);

    await clock.advance(FIRST_SPREAD_MS - 1);
    expect(settled).toBe(false);
    expect(source.callCount).toBe(2); // nothing before the spread is over
    await clock.advance(1);
    const outcome = await refresh;
    expect(outcome).toMatchObject({ changed: true });
    expect(outcome.credential.accessKeyId).toBe('AK2');
    expect(source.callCount).toBe(3);
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('without throttling the same failure answers at once (an outage is not waited for by the caller)', async () => {
    const { client, source, clock } = await revoked();
    source.failNext(new KmsError('unavailable', { code: 'ServiceUnavailableTemporary', httpStatus: 503, retryable: true }));
    const outcome = await client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    expect(outcome).toMatchObject({ changed: false, via: 'failed', error: expect.objectContaining({ code: 'ServiceUnavailableTemporary' }) });
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('consecutive throttled answers widen the spread; a success resets it', async () => {
    const { client, source, clock, events } = await revoked();
    source.failNext(throttled(), 2);
    const refresh = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    await flushPromises();
    const firstAt = clock.now();
    expect(events.error.at(-1)).toMatchObject({ consecutiveFailures: 1, retryAtMs: firstAt + FIRST_SPREAD_MS });
    await clock.advance(FIRST_SPREAD_MS);
    const secondAt = clock.now();
    expect(events.error.at(-1)).toMatchObject({ consecutiveFailures: 2, retryAtMs: secondAt + SECOND_SPREAD_MS });
    await clock.advance(SECOND_SPREAD_MS);
    expect((await refresh).credential.accessKeyId).toBe('AK2');
    expect(source.callCount).toBe(4);

    // After the success a new throttling starts again from the first, narrower spread.
    rotateRamKey(source.store, 'oss-ak', 'AK3');
    await clock.advance(10 * SECOND);
    source.failNext(throttled());
    const again = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK2' });
    await flushPromises();
    expect(events.error.at(-1)).toMatchObject({ consecutiveFailures: 1, retryAtMs: clock.now() + FIRST_SPREAD_MS });
    await clock.advance(FIRST_SPREAD_MS);
    expect((await again).credential.accessKeyId).toBe('AK3');
  });

  it('a caller waits no longer than fetch_timeout while KMS keeps throttling, then gets the held key and the throttling error', async () => {
    const { client, source, clock } = await revoked();
    source.goDown(throttled());
    const startedAt = clock.monotonicNow();
    let settledAt: number | undefined;
    const refresh = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    void refresh.then(() => {
      settledAt = clock.monotonicNow();
    });
    for (let i = 0; i < 40 && settledAt === undefined; i++) await clock.advance(SECOND);
    expect(settledAt).toBeDefined();
    expect((settledAt as number) - startedAt).toBeLessThanOrEqual(30 * SECOND);
    const outcome = await refresh;
    expect(outcome).toMatchObject({ changed: false, via: 'failed', error: expect.objectContaining({ code: 'Rejected.Throttling' }) });
    expect(outcome.credential.accessKeyId).toBe('AK1');
    // Paced: the first attempt at once, then one per spread, widening with the streak (at 1.25 s, 2.8 s, 6.3 s,
    // 14.2 s; the next would be at 32 s), not one per second.
    expect(source.callCount - 1).toBeLessThanOrEqual(5);
    expect(clock.keepAliveTimers).toBe(0);
  });

  it('a throttled first load is retried in the background after the wider spread', async () => {
    const { client, store, source, clock, events } = createCache();
    putRamKey(store, 'oss-ak', 'AK1');
    source.failNext(throttled());
    await expect(client.getCredential('oss-ak')).rejects.toMatchObject({ code: 'Rejected.Throttling' });
    expect(events.error).toEqual([expect.objectContaining({ trigger: 'load', retryAtMs: clock.now() + FIRST_SPREAD_MS })]);
    await clock.advance(FIRST_SPREAD_MS);
    expect(source.callCount).toBe(2);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK1');
  });

  it("publishes the throttled answer's quota hints on the error event, also when they are the cause of a fetch timeout", async () => {
    const { client, source, clock, events } = await revoked();
    const hinted = new KmsError('throttled', { code: 'Rejected.Throttling', httpStatus: 429, retryable: true, throttleHints: { limit: 450, remain: 0, timeLeftMs: 5000 } });
    source.failNext(hinted);
    const refresh = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    await flushPromises();
    expect(events.error.at(-1)).toMatchObject({ throttleHints: { limit: 450, remain: 0, timeLeftMs: 5000 } });
    // The hinted wait is honoured: 5 s + a first-window draw (0.5 * 2 s), not the 1.25 s of a fresh streak.
    expect(events.error.at(-1)).toMatchObject({ retryAtMs: clock.now() + 6000 });
    source.failNext(new KmsError('timed out', { code: 'Kms.FetchTimeout', retryable: true, cause: hinted }));
    await clock.advance(6000);
    expect(events.error.at(-1)).toMatchObject({ error: { code: 'Kms.FetchTimeout' }, throttleHints: { limit: 450, remain: 0 } });
    // An answer without hints publishes none.
    source.failNext(throttled());
    for (let i = 0; i < 30 && events.error.length < 3; i++) await clock.advance(SECOND);
    expect(events.error).toHaveLength(3);
    expect(events.error.at(-1)).not.toHaveProperty('throttleHints');
    await refresh;
    await clock.advance(60 * SECOND);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
  });

  it('a fetch given up while KMS kept throttling (Kms.FetchTimeout caused by a throttled answer) keeps to the streak, not a plain backoff step', async () => {
    const { client, source, clock, events } = await revoked();
    const cause = throttled();
    source.failNext(new KmsError('gave up', { code: 'Kms.FetchTimeout', retryable: true, cause }));
    const refresh = client.refreshNow('oss-ak', { staleAccessKeyId: 'AK1' });
    await flushPromises();
    // Counted as a throttled answer: the next try is the streak's spread (1.25 s for a streak that began with
    // this fetch), where a plain failure would retry after the backoff's first step.
    expect(events.error.at(-1)).toMatchObject({ error: { code: 'Kms.FetchTimeout' }, retryAtMs: clock.now() + FIRST_SPREAD_MS });
    expect(await refresh).toMatchObject({ via: 'failed', error: { code: 'Kms.FetchTimeout' } });
    await clock.advance(FIRST_SPREAD_MS - 1);
    expect(source.callCount).toBe(2);
    await clock.advance(1);
    expect(source.callCount).toBe(3);
    expect(client.peekCredential('oss-ak')?.accessKeyId).toBe('AK2');
  });
});
