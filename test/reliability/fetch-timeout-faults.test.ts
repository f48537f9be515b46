import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientKeyFromPem, DkmsSecretSource, type DkmsSourceOptions } from '../../src/kms/dkms/index.js';
import { FailoverSecretSource } from '../../src/kms/failover/index.js';
import { KmsError } from '../../src/kms/kms-error.js';
import { OpenApiSecretSource } from '../../src/kms/openapi/index.js';
import type { SecretSource } from '../../src/kms/secret-source.js';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalKms } from '../../src/testing/kms/index.js';
import { createTestClientKey, createTestPki } from '../../src/testing/pki/index.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { leaksIn } from '../support/secret-scanner.js';

// One fetch, one budget: with KMS down, slow or answering 503, a caller waits `fetch_timeout` and no longer,
// whatever the sources, retries and failover, and then learns what each endpoint did. Real sockets, real
// time, small budgets.

const BUDGET_MS = 1_500;
const SECRET_NAME = 'oss-ram-ak';
const ACCESS_KEY_SECRET = 'kms-fault-secret-Zq8xW2vR5tY7';
const AK = { accessKeyId: 'LTAI-fetch-timeout', accessKeySecret: 'kms-reader-secret-Pq3' };
const store = new SecretStore();
const pki = createTestPki();
const clientKey = createTestClientKey();

let dkmsA: LocalDkms;
let dkmsB: LocalDkms;
let kms: LocalKms;
/** `127.0.0.1:<port>` where nothing listens: connections are refused. */
let downEndpoint: string;
const opened: SecretSource[] = [];

/** Open TCP sockets of this process (both ends of every connection) and connections being made. */
const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'ConnectWrap').length;

function dkmsSource(endpoint: string, options: Partial<DkmsSourceOptions> = {}): DkmsSecretSource {
  const source = new DkmsSecretSource({
    endpoint,
    clientKey: clientKeyFromPem(clientKey.keyId, clientKey.privateKeyPem),
    ca: pki.caBundlePem,
    ...options,
  });
  opened.push(source);
  return source;
}

function openApiSource(endpoint = kms.endpoint): OpenApiSecretSource {
  const source = new OpenApiSecretSource({ regionId: 'cn-hangzhou', endpoint, credentials: { type: 'ak', ...AK } });
  opened.push(source);
  return source;
}

/** A group as `secretSourceFromConfig` builds it (sources without retries of their own), with quick backoff. */
function group(sources: SecretSource[]): FailoverSecretSource {
  const failover = new FailoverSecretSource({ sources, backoff: { baseMs: 50, capMs: 200 }, hedgeAfterMs: 100, deadlineMs: 30_000 });
  opened.push(failover);
  return failover;
}

/** Runs one fetch with `timeoutMs` = BUDGET_MS; returns its error and when it settled. */
async function timedFetch(source: SecretSource): Promise<{ error: KmsError; elapsedMs: number; startedAt: number }> {
  const startedAt = Date.now();
  const started = performance.now();
  const error = await source.getSecretValue({ secretName: SECRET_NAME }, { timeoutMs: BUDGET_MS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsedMs = performance.now() - started;
  expect(error).toBeInstanceOf(KmsError);
  expect(leaksIn('Kms.FetchTimeout', error, [{ label: 'AccessKeySecret', value: ACCESS_KEY_SECRET }])).toEqual([]);
  return { error: error as KmsError, elapsedMs, startedAt };
}

/**
 * An attempt started shortly before the deadline may be cut off by it; the message then ends with what that
 * attempt met: its timeout (clipped to the time left), or no answer by the deadline.
 */
const CUT_OFF =
  '(?:, then (?:timed out (?:waiting for an answer \\(Kms\\.ReadTimeout\\)|connecting \\(Kms\\.ConnectTimeout\\))|had no answer by the deadline \\((?:Kms\\.FetchTimeout|request in flight for \\d+ ms)\\)))?';
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Checks that `part` says `label` met `outcome` a number of times (and perhaps was cut off at the deadline);
 * returns how many times, and whether the last attempt was cut off.
 */
function repeated(part: string | undefined, label: string, outcome: string): { times: number; cutOff: boolean } {
  const match = new RegExp(`^${escape(label)} ${escape(outcome)}(?: (\\d+) times)?(${CUT_OFF})$`).exec(part ?? '');
  expect(match, part).not.toBeNull();
  return { times: Number(match?.[1] ?? 1), cutOff: (match?.[2] ?? '') !== '' };
}

/** The per-source parts of a FetchTimeout message. */
function parts(error: KmsError): string[] {
  const prefix = `GetSecretValue of "${SECRET_NAME}" did not succeed within ${BUDGET_MS} ms: `;
  expect(error.message.startsWith(prefix)).toBe(true);
  return error.message.slice(prefix.length).split('; ');
}

/** Answers with status 503 the emulator logged; one more than the client counted if the last one came too late. */
function expect503Count(counted: { times: number; cutOff: boolean }, logged: number): void {
  expect(logged).toBeGreaterThanOrEqual(counted.times);
  expect(logged).toBeLessThanOrEqual(counted.times + (counted.cutOff ? 1 : 0));
}

/** What the emulators received for the secret: [sent at (epoch ms)]. */
const dkmsRequests = (dkms: LocalDkms) => dkms.requests.filter((r) => r.secretName === SECRET_NAME);
const kmsRequests = () => kms.requests.filter((r) => r.secretName === SECRET_NAME);

/** Waits a little longer than any backoff, then checks that nothing more reached the emulators. */
async function expectNoRequestAfterTheDeadline(startedAt: number, counts: () => number[]): Promise<void> {
  const atRejection = counts();
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(counts()).toEqual(atRejection);
  const late = [...dkmsRequests(dkmsA), ...dkmsRequests(dkmsB), ...kmsRequests()].filter((r) => r.atMs > startedAt + BUDGET_MS + 50);
  expect(late).toEqual([]);
}

beforeAll(async () => {
  store.setRamCredential(SECRET_NAME, { accessKeyId: 'LTAI-oss', accessKeySecret: ACCESS_KEY_SECRET, rotationIntervalMs: 86_400_000 });
  [dkmsA, dkmsB, kms] = await Promise.all([
    LocalDkms.start({ store, pki, clientKey }),
    LocalDkms.start({ store, pki, clientKey }),
    LocalKms.start({ store }),
  ]);
  kms.addPrincipal(AK);
  const closed = createServer().listen(0, '127.0.0.1');
  await once(closed, 'listening');
  downEndpoint = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((source) => source.close?.()));
  for (const dkms of [dkmsA, dkmsB]) {
    dkms.clearFaults();
    dkms.requests.length = 0;
  }
  kms.clearFaults();
  kms.resetLog();
});

afterAll(async () => {
  await Promise.all([dkmsA.close(), dkmsB.close(), kms.close()]);
});

describe(`one fetch, one budget (timeoutMs ${BUDGET_MS} ms), over real sockets`, () => {
  it('KMS instance down (connection refused), in a failover group of one: retried until the budget is spent, then FetchTimeout', async () => {
    await expect.poll(openSockets).toBe(0);
    const source = group([dkmsSource(downEndpoint)]);
    const { error, elapsedMs } = await timedFetch(source);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true, source: source.description });
    const [only, ...rest] = parts(error);
    expect(rest).toEqual([]);
    expect(repeated(only, `dkms(${downEndpoint})`, 'refused the connection (Kms.NetworkError ECONNREFUSED)').times).toBeGreaterThan(2);
    // It gives up at the deadline, or as soon as the next backoff (at most 200 ms) would end past it.
    expect(elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS - 200);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + 800);
    // The reason, as cause: the last refused connection.
    expect((error.cause as KmsError).code).toBe('Kms.NetworkError');
    // A connection attempt cut off at the deadline is torn down.
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
  });

  it('KMS instance slower than the budget: the request is destroyed at the deadline, FetchTimeout, no socket left', async () => {
    await expect.poll(openSockets).toBe(0);
    dkmsA.injectFault({ kind: 'latency', delayMs: 10_000 }, { times: Infinity });
    const source = dkmsSource(dkmsA.endpoint, { readTimeoutMs: 10_000 });
    const { error, elapsedMs, startedAt } = await timedFetch(source);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    // Which of the two fires first at the deadline, the request's timeout clipped to the budget or the
    // budget itself, is up to the timers; both say the same.
    expect(error.message).toMatch(
      new RegExp(
        `^GetSecretValue of "${SECRET_NAME}" did not succeed within ${BUDGET_MS} ms: dkms\\(${dkmsA.endpoint}\\) ` +
          `(timed out waiting for an answer \\(Kms\\.ReadTimeout\\)|had no answer by the deadline \\(request in flight for \\d+ ms\\))$`,
      ),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS - 1);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + 800);
    expect(dkmsRequests(dkmsA)).toHaveLength(1);
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
    await expectNoRequestAfterTheDeadline(startedAt, () => [dkmsRequests(dkmsA).length]);
  });

  it('KMS instance answering 503 every time, in a failover group of one: every answer is counted in the FetchTimeout message', async () => {
    dkmsA.injectFault({ kind: 'serviceUnavailable' }, { times: Infinity });
    const source = group([dkmsSource(dkmsA.endpoint)]);
    const { error, elapsedMs, startedAt } = await timedFetch(source);
    const answers = dkmsRequests(dkmsA);
    expect(answers.length).toBeGreaterThan(2);
    expect(answers.every((r) => r.httpStatus === 503)).toBe(true);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    const [only, ...rest] = parts(error);
    expect(rest).toEqual([]);
    expect503Count(repeated(only, `dkms(${dkmsA.endpoint})`, 'answered HTTP 503 ServiceUnavailableTemporary'), answers.length);
    expect(elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS - 200);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + 800);
    await expectNoRequestAfterTheDeadline(startedAt, () => [dkmsRequests(dkmsA).length]);
  });

  it('KMS OpenAPI slower than the budget: the SDK request is destroyed at the deadline, no socket left', async () => {
    await expect.poll(openSockets).toBe(0);
    kms.injectFault({ kind: 'latency', delayMs: 10_000 }, Infinity);
    const source = openApiSource();
    const { error, elapsedMs, startedAt } = await timedFetch(source);
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    expect(error.message).toMatch(
      new RegExp(
        `^GetSecretValue of "${SECRET_NAME}" did not succeed within ${BUDGET_MS} ms: openapi\\(${kms.host}\\) ` +
          'had no answer by the deadline \\(request in flight for \\d+ ms\\)$',
      ),
    );
    expect(elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS - 1);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + 800);
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
    await expectNoRequestAfterTheDeadline(startedAt, () => [kmsRequests().length]);
  });

  it('KMS OpenAPI down or answering 503, in a failover group of one: retried until the budget is spent', async () => {
    kms.injectFault({ kind: 'unavailable' }, Infinity);
    const unavailable = await timedFetch(group([openApiSource()]));
    expect(unavailable.error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    const [region, ...rest] = parts(unavailable.error);
    expect(rest).toEqual([]);
    const counted = repeated(region, `openapi(${kms.host})`, 'answered HTTP 503 ServiceUnavailableTemporary');
    expect(counted.times).toBeGreaterThan(2);
    expect503Count(counted, kmsRequests().filter((r) => r.httpStatus === 503).length);
    await expectNoRequestAfterTheDeadline(unavailable.startedAt, () => [kmsRequests().length]);

    const down = await timedFetch(group([openApiSource(`http://${downEndpoint}`)]));
    expect(down.error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    const [downRegion] = parts(down.error);
    expect(repeated(downRegion, `openapi(${downEndpoint})`, 'refused the connection (Kms.NetworkError ECONNREFUSED)').times).toBeGreaterThan(2);
    expect(down.elapsedMs).toBeLessThan(BUDGET_MS + 800);
  });

  it('a group of two KMS instances and one OpenAPI region, each failing differently: FetchTimeout naming each', async () => {
    await expect.poll(openSockets).toBe(0);
    dkmsB.injectFault({ kind: 'latency', delayMs: 10_000 }, { times: Infinity });
    kms.injectFault({ kind: 'unavailable' }, Infinity);
    const down = dkmsSource(downEndpoint);
    const slow = dkmsSource(dkmsB.endpoint, { readTimeoutMs: 10_000 });
    const region = openApiSource();
    const { error, elapsedMs, startedAt } = await timedFetch(group([down, slow, region]));
    expect(error).toMatchObject({ code: 'Kms.FetchTimeout', retryable: true });
    const [downPart, slowPart, regionPart, ...rest] = parts(error);
    expect(rest).toEqual([]);
    expect(repeated(downPart, `dkms(${downEndpoint})`, 'refused the connection (Kms.NetworkError ECONNREFUSED)').times).toBeGreaterThan(2);
    // The slow instance was asked once (it never answered, so it was never asked again) and cut off at the deadline.
    expect(slowPart).toMatch(
      new RegExp(
        `^dkms\\(${dkmsB.endpoint}\\) (timed out waiting for an answer \\(Kms\\.ReadTimeout\\)|had no answer by the deadline \\((Kms\\.FetchTimeout|request in flight for \\d+ ms)\\))$`,
      ),
    );
    expect(dkmsRequests(dkmsB)).toHaveLength(1);
    expect503Count(
      repeated(regionPart, `openapi(${kms.host})`, 'answered HTTP 503 ServiceUnavailableTemporary'),
      kmsRequests().filter((r) => r.httpStatus === 503).length,
    );
    // The reason, as cause: the region's 503 is an answer from KMS, the instances only refused or hung.
    expect(error.cause).toBeInstanceOf(KmsError);
    expect(error.cause).toMatchObject({ code: 'ServiceUnavailableTemporary', httpStatus: 503 });
    // The slow instance keeps the call open until the deadline itself.
    expect(elapsedMs).toBeGreaterThanOrEqual(BUDGET_MS - 1);
    expect(elapsedMs).toBeLessThan(BUDGET_MS + 800);
    await expect.poll(openSockets, { timeout: 1_000 }).toBe(0);
    await expectNoRequestAfterTheDeadline(startedAt, () => [dkmsRequests(dkmsB).length, kmsRequests().length]);
  });
});
