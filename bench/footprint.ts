/**
 * `npm run bench:footprint`: what installing this package costs an application, next to ali-oss alone. Packs the
 * built package, installs it offline (from the npm cache, no install scripts) into throw-away projects and
 * measures their node_modules: apparent bytes, disk usage (`du -sk`) and installed package count. Writes
 * `bench/footprint.md` and prints it.
 *
 * Rows: ali-oss alone; a DKMS-only application (this package + ali-oss, its peer); an application that also uses
 * the KMS OpenAPI path (regions) and so installs the `@alicloud` packages that path needs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { installConsumer, measureFootprint, packTarball, REPO_ROOT } from '../scripts/consumer-project.js';

const run = promisify(execFile);

interface Row {
  readonly name: string;
  readonly packages: number;
  readonly bytes: number;
  readonly diskKiB: number;
}

async function diskKiB(dir: string): Promise<number> {
  const { stdout } = await run('du', ['-sk', join(dir, 'node_modules')]);
  return Number(stdout.split('\t')[0]);
}

const OPENAPI_PACKAGES = ['@alicloud/credentials', '@alicloud/openapi-client', '@alicloud/tea-util'];

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'ali-oss-mc-footprint-'));
  try {
    const tarball = await packTarball(join(root, 'pack'));
    const own = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    // The OpenAPI packages are extra installs only if they are not dependencies already.
    const openApiExtra = OPENAPI_PACKAGES.filter((name) => own.dependencies?.[name] === undefined);
    const projects: Array<[string, Parameters<typeof installConsumer>[1]]> = [
      ['ali-oss alone', { aliOss: true }],
      ['DKMS-only app: ali-oss-managed-credentials + ali-oss', { tarball: tarball.file, aliOss: true }],
      [
        `app using regions (KMS OpenAPI): the above${openApiExtra.length > 0 ? ` + ${openApiExtra.join(', ')}` : ''}`,
        { tarball: tarball.file, aliOss: true, extra: openApiExtra },
      ],
    ];
    const rows: Row[] = [];
    for (const [name, spec] of projects) {
      const dir = join(root, `app-${rows.length}`);
      await installConsumer(dir, spec);
      const { bytes, packages } = await measureFootprint(dir);
      rows.push({ name, packages, bytes, diskKiB: await diskKiB(dir) });
    }
    const mb = (n: number) => (n / 1_000_000).toFixed(1);
    const lines = [
      `Node ${process.version}, ${new Date().toISOString()}, \`npm run bench:footprint\`. Offline installs of the packed`,
      `tarball (${tarball.fileCount} files, ${(tarball.size / 1000).toFixed(1)} kB packed, ${mb(tarball.unpackedSize)} MB unpacked).`,
      '',
      '| Project | Packages installed | node_modules (apparent) | node_modules (disk, du) |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.name} | ${r.packages} | ${mb(r.bytes)} MB | ${(r.diskKiB / 1024).toFixed(1)} MiB |`),
      '',
    ];
    const markdown = lines.join('\n');
    await writeFile(fileURLToPath(new URL('./footprint.md', import.meta.url)), markdown);
    console.log(markdown);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
