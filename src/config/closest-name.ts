/** Shortest name that counts as a cut-off form of a longer one (`passwordFromFile` for `passwordFromFilePath`). */
const MIN_PREFIX = 8;

/**
 * The candidate closest to `name` (case-insensitive edit distance), if it is close enough to be a likely
 * typo: at most 2 edits, or 3 for names longer than 12 characters. Failing that, a name of 8 or more
 * characters that is the start of candidates (a name cut short) gets the shortest of them. Used for "did
 * you mean" hints and to tell a typo that explains a failed load.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  return closestByEdits(name, list) ?? closestByPrefix(name, list);
}

function closestByPrefix(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  if (wanted.length < MIN_PREFIX) return undefined;
  return candidates
    .filter((candidate) => candidate.length > wanted.length && candidate.toLowerCase().startsWith(wanted))
    .sort((a, b) => a.length - b.length)[0];
}

function closestByEdits(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  const limit = wanted.length > 12 ? 3 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance with an early exit once every cell of a row exceeds `bound`. */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) >= bound) return bound;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= bound) return bound;
    previous = current;
  }
  return previous[b.length] ?? bound;
}
