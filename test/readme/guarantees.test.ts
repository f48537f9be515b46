import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../sim/violation.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README's "Guarantees" section, up to the next heading. */
function guaranteesSection(): string {
  const start = readme.indexOf('### Guarantees\n');
  const end = readme.indexOf('\n### ', start + 1);
  return readme.slice(start, end);
}

describe('README Guarantees', () => {
  it('states exactly the invariants the simulation suite checks, in the same words and order', () => {
    const stated = [...guaranteesSection().matchAll(/^\d+\. (.+)$/gm)].map((m) => m[1]);
    const checked = Object.values(INVARIANTS).map((text) => text.replace(/^I\d+ /, ''));
    expect(stated).toEqual(checked);
  });
});
