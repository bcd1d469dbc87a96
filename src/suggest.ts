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
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // One edit in four characters (at least one, at most three): `componnet`, `lisen`, `kafak`.
  const allowed = Math.min(3, Math.max(1, Math.floor(typed.length / 4)));
  return best !== undefined && bestDistance > 0 && bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean X?)`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>, quote = (s: string) => s): string {
  const near = closest(typed, candidates);
  return near === undefined ? '' : ` (did you mean ${quote(near)}?)`;
}
