/**
 * Cold-process benchmarks of the BUILT package (`npm run build` first): each sample is a fresh `node` process,
 * the samples of all variants are interleaved (so a busy machine slows every variant alike), and each row is the
 * median. Used by bench/cold-start.ts; `node --import tsx bench/cold-process.ts [--runs N]` prints them alone.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median, round } from './lib/measure.js';
import { BenchStack, BUCKET_NAME, SECRET_NAME } from './lib/stack.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Which of the heavy dependencies a child process had loaded when it finished. */
export interface LoadedDependencies {
  nodeForge: boolean;
  protobufjs: boolean;
  propertiesReader: boolean;
  alicloud: boolean;
}

/** One variant's median over its fresh processes. */
export interface ColdProcessRow {
  name: string;
  /** Median wall time of what the variant measures (ms). */
  medianMs: number;
  /** Median CPU time (user + system) of the same span (ms): less sensitive to other processes on a busy machine. */
  medianCpuMs: number;
  samples: number;
  /** What the variant's processes had loaded at the end (the same in every sample). */
  loaded: LoadedDependencies;
}

/** Result of {@link runColdProcesses}. */
export interface ColdProcessResult {
  runs: number;
  rows: ColdProcessRow[];
  /** root import / ali-oss import, ES module (wall time). */
  importRatioEsm: number;
  /** root require / ali-oss require, CommonJS (wall time). */
  importRatioCjs: number;
  /** The same ratios in CPU time. */
  importCpuRatioEsm: number;
  importCpuRatioCjs: number;
  /**
   * Median time from `new ProxyBucket` (DKMS source, cold process) to the first successful put, minus the median
   * bare KMS round trip (a fresh TLS connection and one request to the same emulator) and minus the median first
   * put of a cold raw ali-oss client: what the library adds to a first call.
   */
  firstCallOverKmsRttMs: number;
  /**
   * The same difference in CPU time: what the library computes, whatever else the machine runs meanwhile.
   * Absent in results recorded before it was measured.
   */
  firstCallOverKmsRttCpuMs?: number;
}

// Lists the heavy dependencies present in Node's CommonJS cache (CommonJS modules imported from an ES module
// are there too).
const LOADED = `
const cacheKeys = Object.keys(globalThis.__req.cache);
const has = (part) => cacheKeys.some((p) => p.includes(part));
const loaded = { nodeForge: has('/node-forge/'), protobufjs: has('/protobufjs/'), propertiesReader: has('/properties-reader/'), alicloud: has('/@alicloud/') };
`;
const ESM_PRELUDE = `import { createRequire } from 'node:module'; globalThis.__req = createRequire(import.meta.url);`;
const CJS_PRELUDE = `globalThis.__req = require;`;
const report = `console.log(JSON.stringify({ ms, cpuMs: (cpuSpan.user + cpuSpan.system) / 1000, loaded }));`;

interface Variant {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly code: string;
}

/** The context a first-call child needs: the emulators run in the parent, so the child loads only the package. */
interface StackInfo {
  dkmsEndpoint: string;
  keyId: string;
  privateKeyPem: string;
  ca: string;
  ossOptions: Record<string, unknown>;
  key: { accessKeyId: string; accessKeySecret: string };
}

function variants(): Variant[] {
  const esm = (name: string, body: string): Variant => ({ name, type: 'module', code: `${ESM_PRELUDE}\n${body}\n${LOADED}\n${report}` });
  const cjs = (name: string, body: string): Variant => ({ name, type: 'commonjs', code: `${CJS_PRELUDE}\n${body}\n${LOADED}\n${report}` });
  const info = 'const info = JSON.parse(process.env.COLD_STACK);';
  return [
    esm('import ali-oss (ES module)', `const cpu0 = process.cpuUsage(); const t0 = performance.now(); await import('ali-oss'); const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`),
    esm('import the root (ES module)', `const cpu0 = process.cpuUsage(); const t0 = performance.now(); await import('ali-oss-managed-credentials'); const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`),
    cjs('require ali-oss (CommonJS)', `const cpu0 = process.cpuUsage(); const t0 = performance.now(); require('ali-oss'); const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`),
    cjs('require the root (CommonJS)', `const cpu0 = process.cpuUsage(); const t0 = performance.now(); require('ali-oss-managed-credentials'); const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`),
    // An application configured for the KMS OpenAPI path only (regions, RAM auth), in code: import and build
    // its source and a bucket. Its @alicloud packages load; node-forge and protobufjs must not.
    esm(
      'OpenAPI-only app: import, source and bucket (ES module)',
      `const cpu0 = process.cpuUsage(); const t0 = performance.now();
       const { SecretCacheClient, ProxyBucket } = await import('ali-oss-managed-credentials');
       const { OpenApiSecretSource } = await import('ali-oss-managed-credentials/sources');
       const source = new OpenApiSecretSource({ regionId: 'cn-hangzhou', credentials: { type: 'ak', accessKeyId: 'AK', accessKeySecret: 'S' } });
       const cache = new SecretCacheClient({ source, ownsSource: true });
       const bucket = new ProxyBucket({ secretName: 's', cacheClient: cache, region: 'oss-cn-hangzhou', bucket: 'my-bucket' });
       const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);
       await bucket.shutdown(); await cache.close();`,
    ),
    // First call in a cold process, DKMS source (key given as PEM, as from a secret store: no PKCS#12 file).
    esm(
      'first call: new ProxyBucket to first put, DKMS (ES module, cold process)',
      `${info}
       const { SecretCacheClient, ProxyBucket } = await import('ali-oss-managed-credentials');
       const { DkmsSecretSource, clientKeyFromPem } = await import('ali-oss-managed-credentials/sources');
       const cpu0 = process.cpuUsage(); const t0 = performance.now();
       const source = new DkmsSecretSource({ endpoint: info.dkmsEndpoint, clientKey: clientKeyFromPem(info.keyId, info.privateKeyPem), ca: info.ca });
       const cache = new SecretCacheClient({ source, ownsSource: true });
       const bucket = new ProxyBucket({ secretName: '${SECRET_NAME}', cacheClient: cache, ...info.ossOptions });
       await bucket.put('cold/first-' + process.pid + '.txt', Buffer.from('cold'));
       const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);
       await bucket.shutdown(); await cache.close();`,
    ),
    // The bare KMS round trip: a fresh TLS connection to the same emulator and one (unsigned, rejected) request.
    esm(
      'bare KMS round trip: fresh TLS connection, one request (ES module, cold process)',
      `${info}
       const https = await import('node:https');
       const [host, port] = info.dkmsEndpoint.split(':');
       const cpu0 = process.cpuUsage(); const t0 = performance.now();
       await new Promise((resolve, reject) => {
         const req = https.request({ host, port: Number(port), method: 'POST', path: '/', ca: info.ca, agent: false }, (res) => { res.resume(); res.on('end', resolve); });
         req.on('error', reject);
         req.end(Buffer.alloc(16));
       });
       const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`,
    ),
    esm(
      'first put of a raw ali-oss client (ES module, cold process)',
      `${info}
       const { default: OSS } = await import('ali-oss');
       const cpu0 = process.cpuUsage(); const t0 = performance.now();
       const client = new OSS({ ...info.ossOptions, ...info.key });
       await client.put('cold/raw-' + process.pid + '.txt', Buffer.from('cold'));
       const ms = performance.now() - t0; const cpuSpan = process.cpuUsage(cpu0);`,
    ),
  ];
}

/** Runs every variant `runs` times, interleaved, each in a fresh process. */
export async function runColdProcesses(options: { runs: number }): Promise<ColdProcessResult> {
  const stack = await BenchStack.start();
  try {
    const info: StackInfo = {
      dkmsEndpoint: stack.dkms.endpoint,
      keyId: stack.dkms.clientKey.keyId,
      privateKeyPem: stack.dkms.clientKey.privateKeyPem,
      ca: stack.dkms.caBundlePem,
      ossOptions: stack.oss.clientOptions(BUCKET_NAME) as unknown as Record<string, unknown>,
      key: stack.currentKey,
    };
    const list = variants();
    const samples = new Map<string, number[]>(list.map((v) => [v.name, []]));
    const cpuSamples = new Map<string, number[]>(list.map((v) => [v.name, []]));
    const loaded = new Map<string, LoadedDependencies>();
    for (let r = 0; r < options.runs; r++) {
      // Each round starts at another variant, so none always runs first (on a colder machine).
      for (const variant of list.map((_, i) => list[(i + r) % list.length] as Variant)) {
        const { stdout } = await run(process.execPath, [`--input-type=${variant.type}`, '-e', variant.code], {
          cwd: REPO_ROOT,
          env: { ...process.env, COLD_STACK: JSON.stringify(info) },
          timeout: 60_000,
        });
        const line = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { ms: number; cpuMs: number; loaded: LoadedDependencies };
        samples.get(variant.name)?.push(line.ms);
        cpuSamples.get(variant.name)?.push(line.cpuMs);
        loaded.set(variant.name, line.loaded);
      }
    }
    const rows = list.map((v) => ({
      name: v.name,
      medianMs: round(median(samples.get(v.name) ?? []), 1),
      medianCpuMs: round(median(cpuSamples.get(v.name) ?? []), 1),
      samples: samples.get(v.name)?.length ?? 0,
      loaded: loaded.get(v.name) as LoadedDependencies,
    }));
    const at = (i: number) => (rows[i] as ColdProcessRow).medianMs;
    const cpuAt = (i: number) => (rows[i] as ColdProcessRow).medianCpuMs;
    return {
      runs: options.runs,
      rows,
      importRatioEsm: round(at(1) / at(0), 2),
      importRatioCjs: round(at(3) / at(2), 2),
      importCpuRatioEsm: round(cpuAt(1) / cpuAt(0), 2),
      importCpuRatioCjs: round(cpuAt(3) / cpuAt(2), 2),
      firstCallOverKmsRttMs: round(at(5) - at(6) - at(7), 1),
      firstCallOverKmsRttCpuMs: round(cpuAt(5) - cpuAt(6) - cpuAt(7), 1),
    };
  } finally {
    await stack.close();
  }
}

/** Markdown rows for bench/results.md. */
export function coldProcessMarkdown(result: ColdProcessResult): string[] {
  const deps = (l: LoadedDependencies) =>
    Object.entries(l)
      .filter(([, v]) => v)
      .map(([k]) => k)
      .join(', ') || 'none of node-forge, protobufjs, properties-reader, @alicloud';
  return [
    ...result.rows.map(
      (row) => `| Cold process | ${row.name} (median of ${row.samples} fresh processes) | ${row.medianMs} ms (CPU ${row.medianCpuMs} ms); loaded: ${deps(row.loaded)} | | |`,
    ),
    `| Cold process | importing the root / importing ali-oss (wall time; CPU time in brackets) | ES module ×${result.importRatioEsm} (×${result.importCpuRatioEsm}), CommonJS ×${result.importRatioCjs} (×${result.importCpuRatioCjs}) | <= 1.3 | ${result.importRatioEsm <= 1.3 && result.importRatioCjs <= 1.3 ? 'met' : 'not met'} |`,
    result.firstCallOverKmsRttCpuMs === undefined
      ? `| Cold process | first call − bare KMS round trip − raw ali-oss first put | +${result.firstCallOverKmsRttMs} ms | <= 5 ms | ${result.firstCallOverKmsRttMs <= 5 ? 'met' : 'not met'} |`
      : `| Cold process | first call − bare KMS round trip − raw ali-oss first put (wall time; CPU time in brackets) | +${result.firstCallOverKmsRttMs} ms (CPU +${result.firstCallOverKmsRttCpuMs} ms) | <= 5 ms | ${result.firstCallOverKmsRttMs <= 5 ? 'met' : 'not met'} |`,
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg === -1 ? 7 : Number(process.argv[runsArg + 1]);
  const result = await runColdProcesses({ runs });
  console.log(JSON.stringify(result, null, 2));
  console.log(coldProcessMarkdown(result).join('\n'));
}
