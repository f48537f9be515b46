import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_REPORT, collectApi, renderApiReport } from '../../scripts/api-report.js';

// Every change to the public surface must come with a regenerated, reviewed api/public-api.md.
describe('api/public-api.md', () => {
  it('matches the built declarations (run npm run build && npm run api-report, then review the diff)', async () => {
    const committed = await readFile(API_REPORT, 'utf8');
    expect(renderApiReport(collectApi())).toBe(committed);
  }, 60_000);
});
