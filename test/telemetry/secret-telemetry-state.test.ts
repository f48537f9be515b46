import { describe, expect, it } from 'vitest';
import { SecretTelemetryState } from '../../src/telemetry/secret-telemetry-state.js';
import { VirtualClock } from '../support/virtual-clock.js';

describe('SecretTelemetryState', () => {
  it('ages a key from the refresh that changed it; an unchanged refresh keeps its age', async () => {
    const clock = new VirtualClock();
    const state = new SecretTelemetryState(clock);
    state.onRefresh('secret-cache-1', 'a', true);
    await clock.advance(5000);
    state.onRefresh('secret-cache-1', 'a', false);
    await clock.advance(1000);
    expect(state.keyAges()).toEqual([{ clientId: 'secret-cache-1', secretName: 'a', valueMs: 6000 }]);
    state.onRefresh('secret-cache-1', 'a', true);
    expect(state.keyAges()).toEqual([{ clientId: 'secret-cache-1', secretName: 'a', valueMs: 0 }]);
  });

  it('measures staleness from the first failure announced until a success', async () => {
    const clock = new VirtualClock();
    const state = new SecretTelemetryState(clock);
    state.onRefresh('c', 'a', true);
    const failedAtMs = clock.now();
    await clock.advance(300);
    state.onStale('c', 'a', failedAtMs);
    await clock.advance(2000);
    state.onStale('c', 'a', clock.now()); // a later failed refresh does not restart the count
    expect(state.staleness()).toEqual([{ clientId: 'c', secretName: 'a', valueMs: 2300 }]);
    state.onRefresh('c', 'a', false);
    expect(state.staleness()).toEqual([{ clientId: 'c', secretName: 'a', valueMs: 0 }]);
  });

  it('follows at most maxEntries secrets, dropping the least recently active', () => {
    const state = new SecretTelemetryState(new VirtualClock(), 2);
    state.onRefresh('c', 'a', true);
    state.onRefresh('c', 'b', true);
    state.onRefresh('c', 'a', false); // a is now the most recently active
    state.onRefresh('c', 'd', true);
    expect(state.keyAges().map((reading) => reading.secretName)).toEqual(['a', 'd']);
  });
});
