/**
 * Rewrites the README's configuration table from the key table (`renderConfigTableMarkdown()`).
 * Run: `node --import tsx scripts/render-readme.ts` (test/readme fails when the README is out of date).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderConfigTableMarkdown } from '../src/config/render-config-table-markdown.js';
import { replaceMarkedSection } from './readme-sections.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

const before = await readFile(README, 'utf8');
const after = replaceMarkedSection(before, 'config-table', renderConfigTableMarkdown());
if (after === before) {
  console.log('README.md: configuration table is up to date');
} else {
  await writeFile(README, after);
  console.log('README.md: configuration table rewritten');
}
