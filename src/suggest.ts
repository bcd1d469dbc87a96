/**
 * "Did you mean ...?" for names a user typed: commands, flags, manifest keys, templates.
 * Edit distance from fastest-levenshtein; a suggestion must be close for its length, so
 * that `x` is not "corrected" into an unrelated word.
 */
import { distance } from 'fastest-levenshtein';

/** The candidate nearest to `typed`, or undefined when none is close enough to be a typo of it. */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const lower = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const d = swapsTwoNeighbours(lower, other) ? 1 : distance(lower, other);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // One edit in four characters (at least one, at most three): `componnet`, `lisen`, `kafak`.
  const allowed = Math.min(3, Math.max(1, Math.floor(typed.length / 4)));
  return best !== undefined && best !== typed && bestDistance <= allowed ? best : undefined;
}

/** Whether `a` is `b` with two adjacent characters swapped (`kafak`): one slip of the fingers, two edits. */
function swapsTwoNeighbours(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const differ = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  const [i, j] = differ;
  return differ.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

/** ` (did you mean X?)`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>, quote = (s: string) => s): string {
  const near = closest(typed, candidates);
  return near === undefined ? '' : ` (did you mean ${quote(near)}?)`;
}
