/**
 * Generated sections of the README and of `docs/*.md` live between `<!-- NAME:start -->` and `<!-- NAME:end -->`
 * lines; these helpers read and replace them, keeping the markers, and render what goes between them.
 * `scripts/render-readme.ts` writes them; `test/readme/` fails when one is out of date.
 */

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** The text between the markers of `name` (without the markers), or throws if they are missing. */
export function readMarkedSection(text: string, name: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`markers ${start} / ${end} not found`);
  return text.slice(from + start.length, to).replace(/^\n/, '');
}

/** `text` with the section of `name` replaced by `content` (which should end with a newline). */
export function replaceMarkedSection(text: string, name: string, content: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`markers ${start} / ${end} not found`);
  return `${text.slice(0, from + start.length)}\n${content}${text.slice(to)}`;
}

const FLEET_HEADING = '## Fleet: emergency revoke under a KMS quota';

/** `bench/results.md` split into the fleet-revoke section and everything else (both without the top heading). */
function splitBenchResults(resultsMarkdown: string): { bench: string; fleet: string | undefined } {
  const body = resultsMarkdown.replace(/^# Benchmarks\n+/, '');
  const from = body.indexOf(FLEET_HEADING);
  if (from < 0) return { bench: body, fleet: undefined };
  const next = body.indexOf('\n## ', from + FLEET_HEADING.length);
  const fleet = body.slice(from, next < 0 ? body.length : next + 1);
  return { bench: body.slice(0, from) + (next < 0 ? '' : body.slice(next + 1)), fleet };
}

/**
 * The part of `bench/results.md` that `docs/benchmarks.md` shows: everything below its own `# Benchmarks`
 * heading except the fleet-revoke section, which has its own page (`docs/fleet.md`).
 */
export function benchTable(resultsMarkdown: string): string {
  const { bench } = splitBenchResults(resultsMarkdown);
  return bench.replace(/\n*$/, '\n');
}

/** The fleet-revoke section of `bench/results.md` without its heading, or undefined before a bench run. */
function fleetBody(resultsMarkdown: string): string | undefined {
  const { fleet } = splitBenchResults(resultsMarkdown);
  return fleet === undefined ? undefined : fleet.slice(fleet.indexOf('\n') + 1).replace(/^\n+/, '');
}

/**
 * The fleet-revoke section of `bench/results.md` for `docs/fleet.md`: its text, table and chart (the chart's
 * path made relative to `docs/`), without its heading.
 */
export function fleetTable(resultsMarkdown: string): string {
  const body = fleetBody(resultsMarkdown);
  if (body === undefined) return '_Run `npm run bench` to produce the fleet simulation table._\n';
  return body.replace(/\]\((?!https?:|\/)([^)]+\.svg)\)/g, '](../bench/$1)').replace(/\n*$/, '\n');
}

/** The fleet simulation's verdict line ("Goal (10,000 processes, 450 QPS): ... - met.") for the README. */
export function fleetGoal(resultsMarkdown: string): string {
  const goal = /^Goal \(.*$/m.exec(fleetBody(resultsMarkdown) ?? '')?.[0];
  return `${goal ?? '_Run `npm run bench` to produce the fleet simulation._'}\n`;
}

/** The install footprint of `bench/footprint.md` (written by `npm run bench:footprint`), as it stands. */
export function footprintTable(footprintMarkdown: string): string {
  return footprintMarkdown.replace(/\n*$/, '\n');
}

/** A source file shown whole in a fenced block (`lang`), e.g. the README's local example. */
export function sourceBlock(source: string, lang: string): string {
  return `\`\`\`${lang}\n${source.replace(/\n*$/, '\n')}\`\`\`\n`;
}

/** What the generated sections are made from. */
export interface GeneratedSectionInputs {
  /** `bench/results.md`. */
  readonly results: string;
  /** `bench/footprint.md`. */
  readonly footprint: string;
  /** `examples/local-emulators.ts`. */
  readonly localExample: string;
  /** `bench/fleet-sweep.md` (written by `npm run bench:fleet`). */
  readonly fleetSweep: string;
  /** `renderConfigTableMarkdown()`. */
  readonly configTable: string;
}

/** The input files of {@link generatedSections}, relative to the repository root. */
export const GENERATED_SECTION_SOURCES = {
  results: 'bench/results.md',
  footprint: 'bench/footprint.md',
  localExample: 'examples/local-emulators.ts',
  fleetSweep: 'bench/fleet-sweep.md',
} as const;

/** Every generated section: file (relative to the repository root) -> marker name -> content. */
export function generatedSections(inputs: GeneratedSectionInputs): Record<string, Record<string, string>> {
  return {
    'README.md': {
      'config-table': inputs.configTable,
      'local-example': sourceBlock(inputs.localExample, 'ts'),
      'fleet-goal': fleetGoal(inputs.results),
    },
    'docs/benchmarks.md': {
      'bench-table': benchTable(inputs.results),
      'footprint-table': footprintTable(inputs.footprint),
    },
    'docs/fleet.md': {
      'fleet-table': fleetTable(inputs.results),
      'fleet-sweep': inputs.fleetSweep,
    },
  };
}
