import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LocalDkms } from '../../src/testing/dkms/local-dkms.js';
import { LocalKms } from '../../src/testing/kms/local-kms.js';
import { createTestPki } from '../../src/testing/pki/test-pki.js';
import { SecretStore } from '../../src/testing/secret-store.js';
import { describeChild, runChildScript, type ChildOutcome } from '../support/run-child-script.js';

// "Awaiting an exported source keeps the process alive" (issue 18 #8): plain `node` scripts that import the
// BUILT package by its name (`npm run build` first), build the source of the properties file in their working
// directory with `secretSourceFromConfig` and await one `getSecretValue`, nothing else (no timers of their
// own, no close). The parent runs the emulators. After a throttled first answer, the failover group's retry
// sleep is all that is pending: it must hold the process open until the retry answers (print the version,
// exit 0), and with KMS down the call must end in a KmsError on stderr and exit 1 within fetch_timeout.
// Exiting 13 "unsettled top-level await" (ESM) or 0 with nothing printed (CJS) is the bug.

const FIXTURES = fileURLToPath(new URL('../fixtures/process-exit/', import.meta.url));
const SECRET = 'oss-ram-ak';
/**
 * `fetch_timeout` of the throttled runs: above the widest first throttled wait (1 s + up to 11 s, the
 * default throttle pacing), so the retry always fits in the budget and the run must end in success.
 */
const THROTTLED_FETCH_TIMEOUT_MS = 15_000;
/** `fetch_timeout` of the KMS-down runs. */
const DOWN_FETCH_TIMEOUT_MS = 3_000;
/**
 * Time a child may take beyond its fetch_timeout to start, load the package, fail and print: generous, as four
 * children start at once on a shared machine. A child held open by a leftover timer hangs until it is killed.
 */
const EXIT_MARGIN_MS = 8_000;
const KILL_AFTER_MS = THROTTLED_FETCH_TIMEOUT_MS + EXIT_MARGIN_MS;
const KMS_READER = { accessKeyId: 'LTAI-kms-reader', accessKeySecret: 'kms-reader-secret-Wq7Rt2Yp9Xs4' };

type ModuleSystem = 'esm' | 'cjs';
type KmsPathName = 'DKMS' | 'OpenAPI';

interface KmsPath {
  /** Working directories (with managed_credentials_providers.properties) per fetch_timeout. */
  readonly cwd: { throttled: string; down: string };
  /** KMS throttles the next GetSecretValue (HTTP 429 Rejected.Throttling). */
  throttleOnce(): void;
  /** KMS is down until the end of the test. */
  failForever(): void;
  /** HTTP statuses of the GetSecretValue calls KMS received since the test began (0: no answer). */
  statuses(): number[];
  reset(): void;
  stop(): Promise<void>;
  /** Secrets of the child's configuration that must never reach its output. */
  readonly secrets: readonly string[];
}

const MATRIX: Array<{ path: KmsPathName; module: ModuleSystem }> = [
  { path: 'DKMS', module: 'esm' },
  { path: 'DKMS', module: 'cjs' },
  { path: 'OpenAPI', module: 'esm' },
  { path: 'OpenAPI', module: 'cjs' },
];
const rowName = (row: { path: KmsPathName; module: ModuleSystem }) => `${row.path}-${row.module}`;

let pki: ReturnType<typeof createTestPki>;
const dirs: string[] = [];
/** One emulator per row, so that the rows (each waiting out a random throttled spread) can run at once. */
const paths = new Map<string, KmsPath>();
const versionIds = new Map<string, string>();

async function configDir(lines: (dir: string) => Promise<string[]>, fetchTimeoutMs: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'amc-source-exit-'));
  dirs.push(dir);
  await writeFile(join(dir, 'managed_credentials_providers.properties'), [...(await lines(dir)), `fetch_timeout=${fetchTimeoutMs}`, ''].join('\n'));
  return dir;
}

async function dkmsPath(store: SecretStore): Promise<KmsPath> {
  const dkms = await LocalDkms.start({ store, pki });
  const lines = async (dir: string) => {
    const files = await dkms.writeClientFiles(dir);
    const instance = {
      regionId: 'cn-hangzhou',
      endpoint: dkms.endpoint,
      clientKeyFile: basename(files.clientKeyFile),
      passwordFromFilePath: basename(files.passwordFile),
      caFilePath: basename(files.caFile),
    };
    return [`cache_client_dkms_config_info=[${JSON.stringify(instance)}]`];
  };
  let seen = 0;
  return {
    cwd: { throttled: await configDir(lines, THROTTLED_FETCH_TIMEOUT_MS), down: await configDir(lines, DOWN_FETCH_TIMEOUT_MS) },
    throttleOnce: () => dkms.injectFault({ kind: 'throttling' }),
    failForever: () => dkms.injectFault({ kind: 'refuseConnections' }, { times: Infinity }),
    statuses: () => dkms.requests.slice(seen).filter((r) => r.apiName === 'GetSecretValue').map((r) => r.httpStatus ?? 0),
    reset: () => {
      dkms.clearFaults();
      seen = dkms.requests.length;
    },
    stop: () => dkms.close(),
    secrets: [dkms.clientKey.password],
  };
}

async function openApiPath(store: SecretStore): Promise<KmsPath> {
  const kms = await LocalKms.start({ store, tls: { certPem: pki.leafChainPem, keyPem: pki.leafKeyPem } });
  kms.addPrincipal(KMS_READER);
  const lines = async (dir: string) => {
    await writeFile(join(dir, 'PrivateKmsCA_local.pem'), pki.caBundlePem);
    const region = { regionId: 'cn-hangzhou', endpoint: kms.host, caFilePath: 'PrivateKmsCA_local.pem' };
    return [
      `cache_client_region_id=[${JSON.stringify(region)}]`,
      'credentials_type=ak',
      `credentials_access_key_id=${KMS_READER.accessKeyId}`,
      `credentials_access_secret=${KMS_READER.accessKeySecret}`,
    ];
  };
  return {
    cwd: { throttled: await configDir(lines, THROTTLED_FETCH_TIMEOUT_MS), down: await configDir(lines, DOWN_FETCH_TIMEOUT_MS) },
    throttleOnce: () => kms.injectFault({ kind: 'throttle' }),
    failForever: () => kms.injectFault({ kind: 'unavailable' }, Infinity),
    statuses: () => kms.requests.map((r) => r.httpStatus),
    reset: () => {
      kms.clearFaults();
      kms.resetLog();
    },
    stop: () => kms.close(),
    secrets: [KMS_READER.accessKeySecret],
  };
}

beforeAll(async () => {
  pki = createTestPki();
  await Promise.all(
    MATRIX.map(async (row) => {
      const store = new SecretStore();
      const { versionId } = store.setRamCredential(SECRET, {
        accessKeyId: 'LTAI5tSourceExit01',
        accessKeySecret: 'source-exit-secret-Vb3Nm8Kq1Zr5',
        rotationIntervalMs: 7 * 24 * 3600_000,
      });
      versionIds.set(rowName(row), versionId);
      paths.set(rowName(row), row.path === 'DKMS' ? await dkmsPath(store) : await openApiPath(store));
    }),
  );
});

afterAll(async () => {
  await Promise.all([...paths.values()].map((path) => path.stop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function runChild(module: ModuleSystem, cwd: string): Promise<ChildOutcome> {
  return runChildScript(join(FIXTURES, `get-secret-once.${module === 'esm' ? 'mjs' : 'cjs'}`), [SECRET], { cwd, killAfterMs: KILL_AFTER_MS });
}

// Rows run at once (each has its own emulator); the two tests of a row run one after the other.
describe.concurrent.each(MATRIX)('a $module script awaiting secretSourceFromConfig(...).getSecretValue on the $path path', (row) => {
  const path = () => paths.get(rowName(row)) as KmsPath;

  describe.sequential('one after the other', () => {
    it(
      'stays alive through the retry after a throttled answer, prints the version and exits 0',
      async ({ expect }) => {
        path().reset();
        path().throttleOnce();
        const outcome = await runChild(row.module, path().cwd.throttled);
        expect({ exitCode: outcome.exitCode, killed: outcome.killed, stdout: outcome.stdout }, describeChild(outcome)).toEqual({
          exitCode: 0,
          killed: false,
          stdout: `version ${versionIds.get(rowName(row))}\n`,
        });
        // The answer really came from a retry after the throttled one (one request per try).
        expect(path().statuses()).toEqual([429, 200]);
      },
      KILL_AFTER_MS + 10_000,
    );

    it(
      'exits 1 with a KmsError on stderr within fetch_timeout when KMS is down, never silently',
      async ({ expect }) => {
        path().reset();
        path().failForever();
        const outcome = await runChild(row.module, path().cwd.down);
        expect({ exitCode: outcome.exitCode, killed: outcome.killed, stdout: outcome.stdout }, describeChild(outcome)).toEqual({
          exitCode: 1,
          killed: false,
          stdout: '',
        });
        expect(outcome.elapsedMs, describeChild(outcome)).toBeLessThan(DOWN_FETCH_TIMEOUT_MS + EXIT_MARGIN_MS);
        expect(outcome.stderr, describeChild(outcome)).toMatch(/^KmsError: GetSecretValue of "oss-ram-ak" did not succeed within 3000 ms/m);
        expect(outcome.stderr, describeChild(outcome)).toMatch(/^ {2}code: 'Kms\.FetchTimeout',$/m);
        for (const secret of path().secrets) expect(outcome.stderr).not.toContain(secret);
      },
      KILL_AFTER_MS + 10_000,
    );
  });
});
