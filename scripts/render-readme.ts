/**
 * Rewrites the generated sections of the README and of `docs/` (see `generatedSections` in readme-sections.ts):
 * - README.md: the configuration table from the key table (`renderConfigTableMarkdown()`), the local example
 *   from `examples/local-emulators.ts`, and the fleet simulation's verdict line from `bench/results.md`;
 * - docs/benchmarks.md: the benchmark tables from `bench/results.md` (written by `npm run bench`) and the
 *   install footprint from `bench/footprint.md` (written by `npm run bench:footprint`);
 * - docs/fleet.md: the fleet simulation table and chart from `bench/results.md`, and the sweep (table, misses,
 *   heat map) from `bench/fleet-sweep.md` (written by `npm run bench:fleet`).
 * Run: `node --import tsx scripts/render-readme.ts` (`npm run readme`); test/readme fails when a section is out
 * of date.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigTableMarkdown } from '../src/config/render-config-table-markdown.js';
import { GENERATED_SECTION_SOURCES, generatedSections, replaceMarkedSection } from './readme-sections.js';

const file = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

const sections = generatedSections({
  results: await readFile(file(GENERATED_SECTION_SOURCES.results), 'utf8'),
  footprint: await readFile(file(GENERATED_SECTION_SOURCES.footprint), 'utf8'),
  localExample: await readFile(file(GENERATED_SECTION_SOURCES.localExample), 'utf8'),
  fleetSweep: await readFile(file(GENERATED_SECTION_SOURCES.fleetSweep), 'utf8'),
  configTable: renderConfigTableMarkdown(),
});

for (const [path, content] of Object.entries(sections)) {
  const before = await readFile(file(path), 'utf8');
  let after = before;
  for (const [name, text] of Object.entries(content)) after = replaceMarkedSection(after, name, text);
  if (after === before) {
    console.log(`${path}: generated sections are up to date`);
  } else {
    await writeFile(file(path), after);
    console.log(`${path}: generated sections rewritten`);
  }
}
