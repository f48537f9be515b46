import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalKms } from '../../src/testing/kms/local-kms.js';
import { LocalOss } from '../../src/testing/oss/local-oss.js';
import { createTestPki } from '../../src/testing/pki/test-pki.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { describeChild, runChildScript, type ChildOutcome } from '../support/run-child-script.js';

// "A script never exits with its call pending": plain `node` scripts that import the BUILT package by its
// name (self-reference; `npm run build` first), create a ProxyBucket from the properties file in their
// working directory and await a put, nothing else. The parent (this test) runs the emulators and asserts
// how the child ends: a put awaited at top level (ESM) or in an un-caught async main (CJS) must keep the
// process alive until it settles: stored and exit 0, or a typed error on stderr and exit 1 within
// fetch_timeout. Exiting 0 with nothing stored (CJS), or 13 "unsettled top-level await" (ESM), is the bug.

const FIXTURES = fileURLToPath(new URL('../fixtures/process-exit/', import.meta.url));
const SECRET = 'oss-ram-ak';
const BUCKET = 'process-exit';
/** `fetch_timeout` of the child's configuration: one fetch (retries and failover included) may take this long. */
const FETCH_TIMEOUT_MS = 3000;
/** Time a child may take beyond FETCH_TIMEOUT_MS to start, load the package, fail and print. */
const EXIT_MARGIN_MS = 5000;
/** A child still running after this is killed and the test fails: it hung. */
const KILL_AFTER_MS = 15_000;
const KMS_READER = { accessKeyId: 'LTAI-kms-reader', accessKeySecret: 'kms-reader-secret-Hq2Wm8Zt4Lp6' };

type ModuleSystem = 'esm' | 'cjs';
type KmsPathName = 'DKMS' | 'OpenAPI';

interface KmsPath {
  readonly name: KmsPathName;
  /** The child's working directory, holding managed_credentials_providers.properties. */
  readonly cwd: string;
  /** KMS answers the next GetSecretValue with 503 ServiceUnavailableTemporary. */
  failOnce(): void;
  /** KMS is down until the end of the test. */
  failForever(): void;
  /** HTTP statuses of the GetSecretValue calls KMS received since the test began (0: connection dropped). */
  statuses(): number[];
  reset(): void;
}

let pki: ReturnType<typeof createTestPki>;
let store: SecretStore;
let dkms: LocalDkms;
let kms: LocalKms;
let oss: LocalOss;
const dirs: string[] = [];
const paths = new Map<KmsPathName, KmsPath>();
let currentKey: { accessKeyId: string; accessKeySecret: string };

function newKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAI5tExit${randomBytes(4).toString('hex')}`, accessKeySecret: randomBytes(20).toString('base64url') };
}

async function configDir(properties: (dir: string) => Promise<string[]>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'amc-process-exit-'));
  dirs.push(dir);
  const lines = await properties(dir);
  await writeFile(
    join(dir, 'managed_credentials_providers.properties'),
    [
      ...lines,
      `fetch_timeout=${FETCH_TIMEOUT_MS}`,
      // No background refresh during a run: every KMS call in these tests is one a put is waiting for.
      'rotation_interval=3600000',
      'refresh_jitter_max=0',
      '',
    ].join('\n'),
  );
  return dir;
}

function stored(objectName: string): string | undefined {
  return oss.getObject(BUCKET, objectName)?.body.toString();
}

/** Runs `node <fixture> <args>` in `cwd`, killed after KILL_AFTER_MS. */
function runChild(
  fixture: string,
  args: string[],
  cwd: string,
  onLine?: (line: string, child: { endStdin(): void }) => void,
): Promise<ChildOutcome> {
  return runChildScript(join(FIXTURES, fixture), args, { cwd, killAfterMs: KILL_AFTER_MS, ...(onLine ? { onLine } : {}) });
}

beforeAll(async () => {
  pki = createTestPki();
  store = new SecretStore();
  [dkms, kms, oss] = await Promise.all([
    LocalDkms.start({ store, pki }),
    LocalKms.start({ store, tls: { certPem: pki.leafChainPem, keyPem: pki.leafKeyPem } }),
    LocalOss.start({ buckets: [BUCKET] }),
  ]);
  kms.addPrincipal(KMS_READER);

  const dkmsCwd = await configDir(async (dir) => {
    const files = await dkms.writeClientFiles(dir);
    const instance = {
      regionId: 'cn-hangzhou',
      endpoint: dkms.endpoint,
      clientKeyFile: basename(files.clientKeyFile),
      passwordFromFilePath: basename(files.passwordFile),
      caFilePath: basename(files.caFile),
    };
    return [`cache_client_dkms_config_info=[${JSON.stringify(instance)}]`];
  });
  const openApiCwd = await configDir(async (dir) => {
    await writeFile(join(dir, 'PrivateKmsCA_local.pem'), pki.caBundlePem);
    const region = { regionId: 'cn-hangzhou', endpoint: kms.host, caFilePath: 'PrivateKmsCA_local.pem' };
    return [
      `cache_client_region_id=[${JSON.stringify(region)}]`,
      'credentials_type=ak',
      `credentials_access_key_id=${KMS_READER.accessKeyId}`,
      `credentials_access_secret=${KMS_READER.accessKeySecret}`,
    ];
  });

  let dkmsSeen = 0;
  paths.set('DKMS', {
    name: 'DKMS',
    cwd: dkmsCwd,
    failOnce: () => dkms.injectFault({ kind: 'serviceUnavailable' }),
    failForever: () => dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity }),
    statuses: () => dkms.requests.slice(dkmsSeen).filter((r) => r.apiName === 'GetSecretValue').map((r) => r.httpStatus ?? 0),
    reset: () => {
      dkms.clearFaults();
      dkmsSeen = dkms.requests.length;
    },
  });
  paths.set('OpenAPI', {
    name: 'OpenAPI',
    cwd: openApiCwd,
    failOnce: () => kms.injectFault({ kind: 'unavailable' }),
    failForever: () => kms.injectFault({ kind: 'unavailable' }, Infinity),
    statuses: () => kms.requests.map((r) => r.httpStatus),
    reset: () => {
      kms.clearFaults();
      kms.resetLog();
    },
  });
});

afterAll(async () => {
  await Promise.all([dkms?.close(), kms?.close(), oss?.close()]);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

beforeEach(() => {
  for (const path of paths.values()) path.reset();
  currentKey = newKey();
  oss.keys.add(currentKey);
  store.setRamCredential(SECRET, { ...currentKey, rotationIntervalMs: 7 * 24 * 3600_000 });
});

const MATRIX: Array<{ path: KmsPathName; module: ModuleSystem }> = [
  { path: 'DKMS', module: 'esm' },
  { path: 'DKMS', module: 'cjs' },
  { path: 'OpenAPI', module: 'esm' },
  { path: 'OpenAPI', module: 'cjs' },
];
const extension = (module: ModuleSystem) => (module === 'esm' ? 'mjs' : 'cjs');

describe.each(MATRIX)('a $module script on the $path path', ({ path: pathName, module }) => {
  const path = () => paths.get(pathName) as KmsPath;
  const object = (scenario: string) => `${pathName}-${module}-${scenario}-${randomBytes(3).toString('hex')}.txt`;

  it('stores its object and exits 0 when KMS answers 503 once during the first load', async () => {
    const name = object('first-load-503');
    path().failOnce();
    const outcome = await runChild(`put-once.${extension(module)}`, [SECRET, oss.endpoint, BUCKET, name], path().cwd);
    expect({ exitCode: outcome.exitCode, killed: outcome.killed, stored: stored(name) }, describeChild(outcome)).toEqual({
      exitCode: 0,
      killed: false,
      stored: `stored by ${name}`,
    });
    expect(path().statuses()).toEqual([503, 200]); // the put really went through the retry
  });

  it('exits 1 with a typed KmsError on stderr within fetch_timeout when KMS is down for good, and never hangs', async () => {
    const name = object('kms-down');
    path().failForever();
    const outcome = await runChild(`put-once.${extension(module)}`, [SECRET, oss.endpoint, BUCKET, name], path().cwd);
    expect({ exitCode: outcome.exitCode, killed: outcome.killed }, describeChild(outcome)).toEqual({ exitCode: 1, killed: false });
    expect(outcome.elapsedMs, describeChild(outcome)).toBeLessThan(FETCH_TIMEOUT_MS + EXIT_MARGIN_MS);
    // Node prints the uncaught error: `KmsError: <message>` at the start of a line, then its own properties
    // indented by two spaces (nested causes are indented further).
    expect(outcome.stderr, describeChild(outcome)).toMatch(/^KmsError: /m);
    expect(outcome.stderr, describeChild(outcome)).toMatch(/^ {2}code: '[\w.]+',$/m);
    expect(stored(name)).toBeUndefined();
    for (const secret of [currentKey.accessKeySecret, KMS_READER.accessKeySecret, dkms.clientKey.password]) {
      expect(outcome.stderr).not.toContain(secret);
    }
  });

  it('recovers in a forced refresh after a rotate + revoke while KMS answers 503 once, and exits 0', async () => {
    const first = object('before-rotation');
    const second = object('after-rotation');
    const oldKey = currentKey;
    let rotated = false;
    const outcome = await runChild(`put-twice.${extension(module)}`, [SECRET, oss.endpoint, BUCKET, first, second], path().cwd, (line, child) => {
      if (line !== 'first put stored' || rotated) return;
      rotated = true;
      // Between the two puts, and before the second can start: an emergency rotation, with KMS failing once.
      currentKey = newKey();
      oss.keys.add(currentKey);
      store.rotate(SECRET, currentKey);
      oss.keys.revoke(oldKey.accessKeyId);
      path().failOnce();
      child.endStdin();
    });
    expect(rotated, describeChild(outcome)).toBe(true);
    expect({ exitCode: outcome.exitCode, killed: outcome.killed, stored: [stored(first), stored(second)] }, describeChild(outcome)).toEqual({
      exitCode: 0,
      killed: false,
      stored: [`stored by ${first}`, `stored by ${second}`],
    });
    expect(path().statuses()).toEqual([200, 503, 200]);
    const secondPuts = oss.requests.entries().filter((r) => r.key === second);
    expect(secondPuts.map((r) => [r.accessKeyId, r.errorCode ?? r.status])).toEqual([
      [oldKey.accessKeyId, 'InvalidAccessKeyId'],
      [currentKey.accessKeyId, 200],
    ]);
  });
});
