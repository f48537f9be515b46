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

/** The part of `bench/results.md` the README shows: everything below its own `# Benchmarks` heading. */
export function benchTableForReadme(resultsMarkdown: string): string {
  const body = resultsMarkdown.replace(/^# Benchmarks\n+/, '');
  // The results file's own second-level headings become third-level ones under the README's section.
  return body.replace(/^## /gm, '### ').replace(/\n*$/, '\n');
}
