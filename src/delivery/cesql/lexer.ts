/**
 * CESQL tokens (CloudEvents SQL 1.0, §2 and CESQLLexer.g4). Keywords, function names and
 * booleans are case-insensitive, so words are kept as written and compared upper-cased by
 * the parser. Signs are separate tokens: the parser folds `-` + digits into one literal
 * where an operand is expected, so that -2147483648 is a valid Integer literal.
 */

import { CesqlParseError } from './parse-error.ts';

export type TokenKind = 'word' | 'number' | 'string' | 'symbol' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** A word or symbol as written, a number's digits, a string's value (unescaped). */
  readonly text: string;
  /** Offset of the first character in the expression. */
  readonly start: number;
  readonly end: number;
}

const SPACE = /[ \t\r\n]/;
const WORD = /[A-Za-z0-9_]/;
const SYMBOLS = ['!=', '<>', '<=', '>=', '<', '>', '=', '*', '/', '%', '+', '-', '(', ')', ','];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] as string;
    if (SPACE.test(char)) {
      at++;
    } else if (WORD.test(char)) {
      let end = at;
      while (end < source.length && WORD.test(source[end] as string)) end++;
      const text = source.slice(at, end);
      tokens.push({ kind: /^[0-9]+$/.test(text) ? 'number' : 'word', text, start: at, end });
      at = end;
    } else if (char === "'" || char === '"') {
      const token = stringLiteral(source, at);
      tokens.push(token);
      at = token.end;
    } else {
      const symbol = SYMBOLS.find((s) => source.startsWith(s, at));
      if (symbol === undefined) throw new CesqlParseError(source, at, `unexpected character ${JSON.stringify(char)}`);
      tokens.push({ kind: 'symbol', text: symbol, start: at, end: at + symbol.length });
      at += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', start: source.length, end: source.length });
  return tokens;
}

/**
 * §2.2: `'...'` with `\'` for a quote, or `"..."` with `\"`. A backslash before any other
 * character stays as written (the TCK's `'ab\c'` is the four characters a, b, \, c), so
 * that LIKE patterns keep their `\%` and `\_` escapes.
 */
function stringLiteral(source: string, start: number): Token {
  const quote = source[start] as string;
  let value = '';
  let at = start + 1;
  while (at < source.length) {
    const char = source[at] as string;
    if (char === quote) return { kind: 'string', text: value, start, end: at + 1 };
    if (char === '\\' && at + 1 < source.length) {
      const next = source[at + 1] as string;
      value += next === quote ? quote : char + next;
      at += 2;
    } else {
      value += char;
      at++;
    }
  }
  throw new CesqlParseError(source, start, `the string starting here has no closing ${quote}`);
}
