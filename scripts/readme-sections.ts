/**
 * Generated sections of the README live between `<!-- NAME:start -->` and `<!-- NAME:end -->` lines; these
 * helpers read and replace them, keeping the markers.
 */

function markers(name: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/** The text between the markers of `name` (without the markers), or throws if they are missing. */
export function readMarkedSection(text: string, name: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README markers ${start} / ${end} not found`);
  return text.slice(from + start.length, to).replace(/^\n/, '');
}

/** `text` with the section of `name` replaced by `content` (which should end with a newline). */
export function replaceMarkedSection(text: string, name: string, content: string): string {
  const { start, end } = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from < 0 || to < 0) throw new Error(`README markers ${start} / ${end} not found`);
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
 * The part of `bench/results.md` the README's benchmark section shows: everything below its own
 * `# Benchmarks` heading except the fleet-revoke section, which has its own place ("Running a fleet").
 */
export function benchTableForReadme(resultsMarkdown: string): string {
  const { bench } = splitBenchResults(resultsMarkdown);
  // The results file's own second-level headings become third-level ones under the README's section.
  return bench.replace(/^## /gm, '### ').replace(/\n*$/, '\n');
}

/**
 * The fleet-revoke section of `bench/results.md` for the README's "Running a fleet": its text, table and
 * chart (the chart's path made relative to the README), without its heading.
 */
export function fleetTableForReadme(resultsMarkdown: string): string {
  const { fleet } = splitBenchResults(resultsMarkdown);
  if (fleet === undefined) return '_Run `npm run bench` to produce the fleet simulation table._\n';
  const withoutHeading = fleet.slice(fleet.indexOf('\n') + 1).replace(/^\n+/, '');
  return withoutHeading.replace(/\]\((?!https?:|\/)([^)]+\.svg)\)/g, '](bench/$1)').replace(/\n*$/, '\n');
}
