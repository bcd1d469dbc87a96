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
  return (value) => matches(parts, [...value]);
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
