import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, type BenchResults as ReportedBenchResults } from '../../bench/lib/report.js';
import { renderDemoSummary } from '../../src/cli/demo/render-demo-summary.js';
import { createStyle } from '../../src/cli/style.js';
import { CONFIG_KEYS } from '../../src/config/config-keys.js';
import { renderConfigTableMarkdown } from '../../src/config/render-config-table-markdown.js';
import { DEFAULT_THROTTLE_PACING } from '../../src/kms/throttle-pacing.js';

// Every figure the README, docs/ and CHANGELOG state is either generated (the marked sections, checked by
// readme.test.ts) or checked here against its source: bench/results.json (`npm run bench`), bench/footprint.md
// (`npm run bench:footprint`, itself checked against the current build), the built package, package.json and
// the installed client versions. A figure that goes stale fails here, naming the file to regenerate.
const ROOT = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
const require = createRequire(import.meta.url);
const readme = read('README.md');
const changelog = read('CHANGELOG.md');
const results = JSON.parse(read('bench/results.json')) as BenchResults;
const footprintMd = read('bench/footprint.md');
const pkg = JSON.parse(read('package.json')) as { peerDependencies: Record<string, string> };

interface BenchResults {
  fleet: { processes: number; modes: { mode: string; peakKmsQps: number }[] };
  recovery: {
    disabled: { kmsRotatedAtMs: number; recoveredAfterMs: number; kmsCallsWhileDisabled: number; disabledForMs: number };
    codeless403: { forbiddenReads: number; kmsCalls: number };
  };
}

/** The one match of `pattern` in `text` (its groups), failing with `what` when there is none. */
function figure(text: string, pattern: RegExp, what: string): string[] {
  const match = pattern.exec(text);
  expect(match, `${what}: ${String(pattern)}`).not.toBeNull();
  return match!.slice(1);
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/** bench/footprint.md: the tarball line and the three rows. */
function footprint() {
  const [files, packedKb, unpackedMb] = figure(footprintMd, /tarball \((\d+) files, ([\d.]+) kB packed, ([\d.]+) MB unpacked\)/, 'footprint tarball');
  const row = (name: string) => {
    const [packages, mib] = figure(footprintMd, new RegExp(`^\\| ${name}[^|]* \\| (\\d+) \\| [\\d.]+ MB \\| ([\\d.]+) MiB \\|$`, 'm'), `footprint row ${name}`);
    return { packages: Number(packages), mib: mib! };
  };
  return {
    files: Number(files),
    packedKb: Number(packedKb),
    unpackedMb: Number(unpackedMb),
    aliOss: row('ali-oss alone'),
    dkms: row('DKMS-only app'),
    regions: row('app using regions'),
  };
}

describe('figures', () => {
  it('bench/results.md (the source of docs/benchmarks.md and docs/fleet.md) is the rendering of bench/results.json', () => {
    expect(read('bench/results.md')).toBe(renderMarkdown(results as unknown as ReportedBenchResults));
  });

  it('bench/footprint.md describes the package as it builds now (else: npm run bench:footprint && npm run readme)', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: fileURLToPath(ROOT),
      env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
    });
    const [packed] = JSON.parse(stdout) as [{ entryCount: number; size: number; unpackedSize: number }];
    const measured = footprint();
    expect(measured.files).toBe(packed.entryCount);
    expect(Math.abs(measured.packedKb * 1000 - packed.size) / packed.size).toBeLessThan(0.05);
    expect(Math.abs(measured.unpackedMb * 1e6 - packed.unpackedSize) / packed.unpackedSize).toBeLessThan(0.05);
  }, 60_000);

  it("CHANGELOG's figures of the current package: run-time names, install footprint, tarball", () => {
    const root = Object.keys(require('ali-oss-managed-credentials') as object);
    const testing = Object.keys(require('ali-oss-managed-credentials/testing') as object);
    const [rootCount, testingCount] = figure(changelog, /export a curated list of names \((\d+) and (\d+) at run time/, 'CHANGELOG export counts');
    expect([Number(rootCount), Number(testingCount)]).toEqual([root.length, testing.length]);

    const measured = footprint();
    const [dkmsPackages, dkmsMib] = figure(changelog, /A DKMS-only app installs (\d+) packages \/ ([\d.]+) MiB/, 'CHANGELOG DKMS footprint');
    expect([Number(dkmsPackages), dkmsMib]).toEqual([measured.dkms.packages, measured.dkms.mib]);
    const [aliPackages, aliMib] = figure(changelog, /\(ali-oss alone: (\d+) \/ ([\d.]+) MiB\)/, 'CHANGELOG ali-oss footprint');
    expect([Number(aliPackages), aliMib]).toEqual([measured.aliOss.packages, measured.aliOss.mib]);
    const [files, kb] = figure(changelog, /No source maps shipped \(([\d,]+) files, (\d+) kB packed/, 'CHANGELOG tarball');
    expect(Number(files!.replace(/,/g, ''))).toBe(measured.files);
    expect(Number(kb)).toBe(Math.round(measured.packedKb));
  });

  it("README's recovery figures come from bench/results.json (else: npm run bench)", () => {
    const { disabled, codeless403 } = results.recovery;
    const [after, calls, window] = figure(readme, /\(measured: ([\d.]+) s after the rotation, (\d+) KMS calls in (\d+) s\)/, 'README disabled-key row');
    // recoveredAfterMs counts from the rotation (bench/recovery.ts).
    expect(Number(after)).toBe(Math.round(disabled.recoveredAfterMs / 100) / 10);
    expect(Number(calls)).toBe(disabled.kmsCallsWhileDisabled);
    expect(Number(window)).toBe(disabled.disabledForMs / 1000);
    const [reads, kmsCalls] = figure(readme, /\(measured: (\d+) such 403s cost (\d+) KMS calls?\)/, 'README 403 row');
    expect([Number(reads), Number(kmsCalls)]).toEqual([codeless403.forbiddenReads, codeless403.kmsCalls]);
  });

  it("README's fleet figures: the scheduled-rotation peak from bench/results.json, the revoke bound and the pacing from the code", () => {
    const perRefresh = results.fleet.modes.find((mode) => mode.mode === 'per-refresh');
    const [processes, peak] = figure(readme, /a fleet\s+of ([\d,]+) peaks at about (\d+) KMS calls\/s/, 'README fleet peak');
    expect([processes, Number(peak)]).toEqual([thousands(results.fleet.processes), perRefresh?.peakKmsQps]);
    const [seconds, n, quota] = figure(readme, /\((\d+) s for ([\d,]+) processes at (\d+)\/s\)/, 'README N/quota');
    expect(Number(seconds)).toBe(Math.round(Number(n!.replace(/,/g, '')) / Number(quota)));
    const [min, first, growth, cap] = figure(
      readme,
      /\(([\d.]+) s to (\d+) s at first, then from half to ([\d.]+)x the time it has been throttled, at most (\d+) s;/,
      'README pacing',
    );
    expect([Number(min) * 1000, Number(first) * 1000, Number(growth), Number(cap) * 1000]).toEqual([
      DEFAULT_THROTTLE_PACING.minDelayMs,
      DEFAULT_THROTTLE_PACING.firstWindowMs,
      DEFAULT_THROTTLE_PACING.growth,
      DEFAULT_THROTTLE_PACING.capMs,
    ]);
  });

  it("README's and CHANGELOG's defaults of configuration keys, e.g. `rotation_interval` (6 h), are the key table's", () => {
    const defaults = new Map<string, number>();
    for (const spec of CONFIG_KEYS as readonly { name: string; defaultValue?: number }[]) {
      if (spec.defaultValue !== undefined) defaults.set(spec.name, spec.defaultValue);
    }
    const unitMs: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };
    const checked: string[] = [];
    for (const [name, text] of [['README.md', readme], ['CHANGELOG.md', changelog]] as const) {
      for (const [, key, value, unit] of text.matchAll(/\b([a-z]+(?:_[a-z]+)+)`?(?: \(|, )(\d+(?:\.\d+)?) (ms|s|min|h)\b/g)) {
        if (!defaults.has(key!)) continue;
        expect(`${name}: ${key} = ${Number(value) * unitMs[unit!]!} ms`).toBe(`${name}: ${key} = ${defaults.get(key!)} ms`);
        checked.push(key!);
      }
    }
    expect(new Set(checked)).toEqual(new Set(['delay_interval', 'rotation_interval', 'recovery_backoff_cap', 'recovery_min_interval', 'fetch_timeout']));

    // The DKMS entry's timeouts, as the generated field table states them.
    const field = (name: string) => figure(renderConfigTableMarkdown(), new RegExp(`^\\| \`${name}\` \\|[^|]*\\|[^|]*\\| \`(\\d+)\` \\|`, 'm'), name)[0];
    const [connect, readTimeout] = figure(changelog, /`connectTimeout`\/`readTimeout` defaults \((\d+)\/(\d+) ms\)/, 'CHANGELOG DKMS timeouts');
    expect([connect, readTimeout]).toEqual([field('connectTimeout'), field('readTimeout')]);
  });

  it("CHANGELOG's throttle pacing is the code's", () => {
    const [min, first, growth, cap] = figure(
      changelog,
      /\(([\d.]+) s to (\d+) s at first, then from half to ([\d.]+)x the time it has been throttled, at most (\d+) s\)/,
      'CHANGELOG pacing',
    );
    expect([Number(min) * 1000, Number(first) * 1000, Number(growth), Number(cap) * 1000]).toEqual([
      DEFAULT_THROTTLE_PACING.minDelayMs,
      DEFAULT_THROTTLE_PACING.firstWindowMs,
      DEFAULT_THROTTLE_PACING.growth,
      DEFAULT_THROTTLE_PACING.capMs,
    ]);
  });

  it("README's sample of the demo's summary is what the demo prints for those figures, and they add up", () => {
    const [sample] = figure(readme, /ends with a summary like this one:\n\n```text\n([\s\S]*?)```/, 'README demo summary');
    const value = (label: string): string => figure(sample!, new RegExp(`^${label.replace(/[()]/g, '\\$&')}\\s+(\\S+(?: ms| s)?)$`, 'm'), label)[0]!;
    const count = (label: string): number => Number(value(label));
    const ms = (label: string): number => Number(value(label).replace(/ ms$/, ''));
    const result = {
      calls: count('workload calls (put, get, list)'),
      errors: count('errors seen by the workload'),
      errorCodes: [],
      rotations: count('key rotations (old key revoked at once)'),
      rotateEvents: count('rotate events from the cache'),
      kmsCalls: count('KMS calls (GetSecretValue)'),
      kmsFailuresInjected: count('  of which injected 503s, retried'),
      retries: count('OSS rejections (InvalidAccessKeyId), retried'),
      ossRequests: count('OSS requests'),
      objectsStored: count('objects stored, checked byte for byte'),
      latency: { count: 0, p50Ms: ms('latency p50'), p90Ms: ms('latency p90'), p99Ms: ms('latency p99'), maxMs: ms('latency max') },
      workloadMs: Number(value('workload time').replace(/ s$/, '')) * 1000,
      exitCode: 0,
    };
    expect(`${renderDemoSummary(result, createStyle(false)).join('\n')}\n`).toBe(sample);
    // What a run with the README's promise (0 errors, 2 rotations with revocation) must add up to.
    expect(result.errors).toBe(0);
    expect(result.rotateEvents).toBe(result.rotations);
    expect(result.ossRequests).toBe(result.calls + result.retries);
    expect(result.kmsCalls).toBe(1 + result.rotations + result.kmsFailuresInjected);
  });

  it("README's versions: peer dependency ranges from package.json, verified Tea clients as installed here", () => {
    const [aliOss] = figure(readme, /`ali-oss` \((\d+\.\d+) or newer \d+\.x\) is a peer dependency/, 'README ali-oss range');
    expect(pkg.peerDependencies['ali-oss']).toBe(`^${aliOss}.0`);
    const [command] = figure(readme, /```sh\n(npm install @alicloud\/credentials@[^\n]+)\n```/, 'README OpenAPI install');
    for (const name of ['@alicloud/credentials', '@alicloud/openapi-client', '@alicloud/tea-util']) {
      expect(command!.split(' ')).toContain(`${name}@${pkg.peerDependencies[name]}`);
    }
    const version = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
    const verified = figure(readme, /Verified with ([\s\S]*?), against the `LocalOpenApi` emulator/, 'README verified clients')[0]!.replace(/\s+/g, ' ');
    const pairs = [...verified.matchAll(/`(@alicloud\/[\w-]+)` (\d+\.\d+\.\d+)/g)].map(([, name, v]) => [name, v]);
    expect(pairs.map(([name]) => name)).toEqual([
      '@alicloud/sts20150401', '@alicloud/openapi-core', '@alicloud/oss20190517', '@alicloud/openapi-client', '@alicloud/kms20160120', '@alicloud/rpc-client',
    ]);
    for (const [name, v] of pairs) expect(`${name} ${v}`).toBe(`${name} ${version(name!)}`);
  });
});
