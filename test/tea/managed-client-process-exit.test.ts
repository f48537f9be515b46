import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalDkms, LocalOpenApi } from '../../src/testing/index.js';
import { describeChild, runChildScript, type ChildOutcome } from '../support/run-child-script.js';

// "A script never exits with its call pending, and ends by itself afterwards", for managed Tea clients: plain
// `node` scripts import the BUILT package by its name (`npm run build` first) and the real STS client, build a
// managed client from the properties file in their working directory (DKMS), await one call and nothing else:
// no shutdown, no timers, no process.exit.

const FIXTURES = fileURLToPath(new URL('../fixtures/tea-process-exit/', import.meta.url));
const SECRET = 'tea-exit-ak';
const FETCH_TIMEOUT_MS = 1500;
/** Time a child may take beyond FETCH_TIMEOUT_MS to start, load the packages, fail and print. */
const EXIT_MARGIN_MS = 5000;
/** A child still running after this is killed and the test fails: it hung. */
const KILL_AFTER_MS = 15_000;

let dkms: LocalDkms;
let api: LocalOpenApi;
let cwd: string;
let currentKey: { accessKeyId: string; accessKeySecret: string };

function runChild(fixture: string): Promise<ChildOutcome> {
  return runChildScript(join(FIXTURES, fixture), [SECRET, api.host], { cwd, killAfterMs: KILL_AFTER_MS });
}

beforeAll(async () => {
  [dkms, api] = await Promise.all([LocalDkms.start(), LocalOpenApi.start()]);
  api.handle({ action: 'GetCallerIdentity' }, (call) => ({ RequestId: 'r', AccountId: '1', UserId: `user-of-${call.accessKeyId}`, Arn: 'acs:ram::1:user/u' }));
  cwd = await mkdtemp(join(tmpdir(), 'amc-tea-exit-'));
  const files = await dkms.writeClientFiles(cwd);
  const instance = {
    regionId: 'cn-hangzhou',
    endpoint: dkms.endpoint,
    clientKeyFile: basename(files.clientKeyFile),
    passwordFromFilePath: basename(files.passwordFile),
    caFilePath: basename(files.caFile),
  };
  await writeFile(
    join(cwd, 'managed_credentials_providers.properties'),
    [`cache_client_dkms_config_info=[${JSON.stringify(instance)}]`, `fetch_timeout=${FETCH_TIMEOUT_MS}`, 'rotation_interval=3600000', ''].join('\n'),
  );
});

afterAll(async () => {
  await Promise.all([dkms?.close(), api?.close()]);
  await rm(cwd, { recursive: true, force: true });
});

beforeEach(() => {
  dkms.clearFaults();
  currentKey = { accessKeyId: `LTAI5tTeaExit${randomBytes(4).toString('hex')}`, accessKeySecret: randomBytes(20).toString('base64url') };
  api.keys.add(currentKey);
  dkms.setRamCredential(SECRET, { ...currentKey, rotationIntervalMs: 7 * 24 * 3600_000 });
});

describe.each(['mjs', 'cjs'])('a managed Tea client in a .%s script', (extension) => {
  it('makes its call although KMS answers 503 once during the first load, then exits 0 by itself', async () => {
    dkms.injectFault({ kind: 'serviceUnavailable' });
    const outcome = await runChild(`call-once.${extension}`);
    expect({ exitCode: outcome.exitCode, killed: outcome.killed, stdout: outcome.stdout.trim() }, describeChild(outcome)).toEqual({
      exitCode: 0,
      killed: false,
      stdout: `identity user-of-${currentKey.accessKeyId}`,
    });
  });

  it('exits 1 with a typed error within fetch_timeout when KMS is down for good, and never hangs', async () => {
    dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity });
    const outcome = await runChild(`call-once.${extension}`);
    expect({ exitCode: outcome.exitCode, killed: outcome.killed }, describeChild(outcome)).toEqual({ exitCode: 1, killed: false });
    expect(outcome.elapsedMs, describeChild(outcome)).toBeLessThan(FETCH_TIMEOUT_MS + EXIT_MARGIN_MS);
    expect(outcome.stderr, describeChild(outcome)).toMatch(/^KmsError: /m);
    expect(outcome.stderr).not.toContain(currentKey.accessKeySecret);
    expect(api.requests.entries().filter((r) => r.accessKeyId === currentKey.accessKeyId)).toEqual([]);
  });
});
