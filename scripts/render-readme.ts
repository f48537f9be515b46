/**
 * Rewrites the README's generated sections: the configuration table from the key table
 * (`renderConfigTableMarkdown()`), and the benchmark and fleet tables from `bench/results.md` (written by
 * `npm run bench`).
 * Run: `node --import tsx scripts/render-readme.ts` (test/readme fails when the README is out of date).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigTableMarkdown } from '../src/config/render-config-table-markdown.js';
import { benchTableForReadme, fleetTableForReadme, replaceMarkedSection } from './readme-sections.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const BENCH_RESULTS = fileURLToPath(new URL('../bench/results.md', import.meta.url));

const before = await readFile(README, 'utf8');
const withConfig = replaceMarkedSection(before, 'config-table', renderConfigTableMarkdown());
const results = await readFile(BENCH_RESULTS, 'utf8');
const withBench = replaceMarkedSection(withConfig, 'bench-table', benchTableForReadme(results));
const after = replaceMarkedSection(withBench, 'fleet-table', fleetTableForReadme(results));
if (after === before) {
  console.log('README.md: generated sections are up to date');
} else {
  await writeFile(README, after);
  console.log('README.md: generated sections rewritten');
}
