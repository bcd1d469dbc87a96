/**
 * The LIKE operator's pattern (CloudEvents SQL 1.0, §3.4.3): `%` is any run of characters,
 * `_` exactly one, `\%` and `\_` the characters themselves, anything else itself (case
 * sensitive). Matched by the classic wildcard walk (back to the last `%` on a mismatch),
 * O(pattern x value) at worst, so that an event's long attribute cannot make a pattern
 * backtrack exponentially as a regular expression could.
 */

type Part = { kind: 'char'; char: string } | { kind: 'one' } | { kind: 'any' };

export function compileLike(pattern: string): (value: string) => boolean {
  const parts = parse(pattern);
  if (parts.every((p) => p.kind !== 'one')) return literalsBetweenWildcards(parts);
  return (value) => matches(parts, [...value]);
}

/**
 * Without `_`, a pattern is literal runs between `%`s: the first run must start the value,
 * the last end it, the others be found in order (the leftmost find is always right). No
 * per-event allocation: this is the common `prefix%`, `%suffix`, `%part%` case.
 */
function literalsBetweenWildcards(parts: readonly Part[]): (value: string) => boolean {
  const runs = [''];
  for (const part of parts) {
    if (part.kind === 'any') runs.push('');
    else runs[runs.length - 1] += (part as { char: string }).char;
  }
  const first = runs[0] as string;
  if (runs.length === 1) return (value) => value === first;
  const last = runs[runs.length - 1] as string;
  const middle = runs.slice(1, -1).filter((run) => run !== '');
  return (value) => {
    if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
    let at = first.length;
    const end = value.length - last.length;
    for (const run of middle) {
      const found = value.indexOf(run, at);
      if (found < 0 || found + run.length > end) return false;
      at = found + run.length;
    }
    return true;
  };
}

function parse(pattern: string): Part[] {
  const chars = [...pattern];
  const parts: Part[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    const next = chars[i + 1];
    if (char === '\\' && (next === '%' || next === '_')) {
      parts.push({ kind: 'char', char: next });
      i++;
    } else if (char === '%') {
      parts.push({ kind: 'any' });
    } else if (char === '_') {
      parts.push({ kind: 'one' });
    } else {
      parts.push({ kind: 'char', char });
    }
  }
  return parts;
}

function matches(parts: readonly Part[], value: readonly string[]): boolean {
  let p = 0;
  let v = 0;
  let star = -1; // index in parts of the last `%` seen
  let starV = 0; // where in value that `%` currently ends
  while (v < value.length) {
    const part = parts[p];
    if (part !== undefined && (part.kind === 'one' || (part.kind === 'char' && part.char === value[v]))) {
      p++;
      v++;
    } else if (part?.kind === 'any') {
      star = p++;
      starV = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (parts[p]?.kind === 'any') p++;
  return p === parts.length;
}
