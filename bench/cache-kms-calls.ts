/**
 * KMS calls of one secret over a simulated week with 100 consumers, and the cost of a warm read.
 *
 * Run: `npx tsx bench/cache-kms-calls.ts`. Prints one JSON line, then a short markdown table. Not a test.
 *
 * - Week: one SecretCacheClient shared by 100 consumers (acquireSharedCacheClient), virtual time, a RAM user
 *   AccessKey rotated weekly by "KMS" (rotation on day 3.5, next one a week later, so exactly one falls in the
 *   week). Every consumer reads the key every 10 virtual minutes. A second run adds an emergency rotation on
 *   day 5 with the old key revoked at once: every consumer reports the rejected key through refreshNow.
 * - Warm read: ns/op of `await getCredential()` and `peekCredential()` on a loaded cache, with a bare
 *   `Map.get` in the same run as the baseline.
 */
import { acquireSharedCacheClient, SecretCacheClient, type RefreshTrigger } from '../src/cache/index.js';
import { SecretStore } from '../src/testing/secret-store.js';
import { InMemorySecretSource } from '../test/support/in-memory-secret-source.js';
import { VirtualClock } from '../test/support/virtual-clock.js';
import { seededRandom } from './lib/measure.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
const SECRET = 'oss-ram-ak';
const CONSUMERS = 100;
const READ_EVERY_MS = 10 * MINUTE_MS;

interface WeekFigures {
  scenario: string;
  consumers: number;
  reads: number;
  forcedRefreshCalls: number;
  kmsCalls: number;
  byTrigger: Partial<Record<RefreshTrigger, number>>;
  rotationsSeen: number;
  /** Reads that returned a key other than the one KMS considers valid at that moment. */
  readsWithRevokedKey: number;
}


async function simulateWeek(emergencyRevokeAtMs: number | undefined): Promise<WeekFigures> {
  const clock = new VirtualClock();
  const store = new SecretStore({ clock });
  const source = new InMemorySecretSource(store);
  const startMs = clock.now();
  let keyNumber = 1;
  const keyOf = (n: number) => ({ accessKeyId: `AK${n}`, accessKeySecret: `bench-secret-${n}-0123456789` });
  store.setRamCredential(SECRET, { ...keyOf(keyNumber), rotationIntervalMs: WEEK_MS });
  store.setRotation(SECRET, { enabled: true, nextRotationDateMs: startMs + 3.5 * DAY_MS });
  // During a scheduled rotation the previous key stays valid (the overlap); an emergency one revokes it.
  const validKeyIds = new Set([keyOf(1).accessKeyId]);

  const key = `bench-week-${emergencyRevokeAtMs ?? 'scheduled'}`;
  const leases = Array.from({ length: CONSUMERS }, () =>
    acquireSharedCacheClient(key, () => new SecretCacheClient({ source, clock, random: seededRandom(42) })),
  );
  const client = leases[0]!.client;
  const byTrigger: Partial<Record<RefreshTrigger, number>> = {};
  let rotationsSeen = 0;
  client.on('refresh', (event) => {
    byTrigger[event.trigger] = (byTrigger[event.trigger] ?? 0) + 1;
  });
  client.on('rotate', () => rotationsSeen++);

  let reads = 0;
  let forcedRefreshCalls = 0;
  let readsWithRevokedKey = 0;
  let emergencyDone = emergencyRevokeAtMs === undefined;
  for (let t = 0; t <= WEEK_MS; t += READ_EVERY_MS) {
    await clock.advance(startMs + t - clock.now());
    const next = store.getVersion(SECRET)?.nextRotationDateMs;
    if (next !== undefined && clock.now() >= next) {
      // KMS's scheduled rotation: the new key is current, the old one keeps working through the overlap.
      validKeyIds.add(keyOf(++keyNumber).accessKeyId);
      store.rotate(SECRET, keyOf(keyNumber));
    }
    if (!emergencyDone && clock.now() >= startMs + (emergencyRevokeAtMs ?? Infinity)) {
      emergencyDone = true;
      validKeyIds.clear();
      validKeyIds.add(keyOf(++keyNumber).accessKeyId);
      store.rotate(SECRET, keyOf(keyNumber));
    }
    const credentials = await Promise.all(leases.map((lease) => lease.client.getCredential(SECRET)));
    reads += credentials.length;
    const rejected = credentials.filter((c) => !validKeyIds.has(c.accessKeyId));
    readsWithRevokedKey += rejected.length;
    if (rejected.length > 0) {
      // Every consumer whose call was rejected reports the key it used, as ProxyBucket does.
      forcedRefreshCalls += rejected.length;
      await Promise.all(rejected.map((c) => client.refreshNow(SECRET, { staleAccessKeyId: c.accessKeyId })));
    }
  }
  await Promise.all(leases.map((lease) => lease.release()));
  return {
    scenario: emergencyRevokeAtMs === undefined ? 'weekly rotation' : 'weekly + emergency revoke',
    consumers: CONSUMERS,
    reads,
    forcedRefreshCalls,
    kmsCalls: source.callCount,
    byTrigger,
    rotationsSeen,
    readsWithRevokedKey,
  };
}

interface WarmReadFigures {
  iterations: number;
  getCredentialNsPerOp: number;
  peekCredentialNsPerOp: number;
  mapGetNsPerOp: number;
}

async function measureWarmReads(iterations: number): Promise<WarmReadFigures> {
  const clock = new VirtualClock();
  const store = new SecretStore({ clock });
  store.setRamCredential(SECRET, { accessKeyId: 'AK1', accessKeySecret: 'bench-secret-0123456789' });
  const client = new SecretCacheClient({ source: new InMemorySecretSource(store), clock });
  const warm = await client.getCredential(SECRET);
  const map = new Map([[SECRET, warm]]);
  let sink = 0;

  const time = async (body: () => Promise<void> | void): Promise<number> => {
    const start = process.hrtime.bigint();
    await body();
    return Number(process.hrtime.bigint() - start) / iterations;
  };
  const getCredential = async () => {
    for (let i = 0; i < iterations; i++) sink += (await client.getCredential(SECRET)).accessKeyId.length;
  };
  const peekCredential = () => {
    for (let i = 0; i < iterations; i++) sink += client.peekCredential(SECRET)?.accessKeyId.length ?? 0;
  };
  const mapGet = () => {
    for (let i = 0; i < iterations; i++) sink += map.get(SECRET)?.accessKeyId.length ?? 0;
  };
  // Warm up the JIT, then keep the best of three rounds of each.
  await time(getCredential);
  time(peekCredential);
  time(mapGet);
  const best = async (body: () => Promise<void> | void) => Math.min(await time(body), await time(body), await time(body));
  const figures = {
    iterations,
    getCredentialNsPerOp: round(await best(getCredential)),
    peekCredentialNsPerOp: round(await best(peekCredential)),
    mapGetNsPerOp: round(await best(mapGet)),
  };
  await client.close();
  if (sink === 0) throw new Error('unreachable: keeps the loops from being optimised away');
  return figures;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

const weeks = [await simulateWeek(undefined), await simulateWeek(5 * DAY_MS)];
const warm = await measureWarmReads(1_000_000);
console.log(JSON.stringify({ bench: 'cache-kms-calls', node: process.version, weeks, warm }));
console.log('');
console.log('| scenario (1 secret, 100 consumers, 1 week) | reads | forced refreshes asked | KMS calls | by trigger |');
console.log('|---|---:|---:|---:|---|');
for (const w of weeks) {
  const triggers = Object.entries(w.byTrigger).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`| ${w.scenario} | ${w.reads} | ${w.forcedRefreshCalls} | ${w.kmsCalls} | ${triggers} |`);
}
console.log('');
console.log(`| warm read (${warm.iterations} iterations, best of 3) | ns/op |`);
console.log('|---|---:|');
console.log(`| await getCredential() | ${warm.getCredentialNsPerOp} |`);
console.log(`| peekCredential() | ${warm.peekCredentialNsPerOp} |`);
console.log(`| Map.get (baseline) | ${warm.mapGetNsPerOp} |`);
