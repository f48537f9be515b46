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
