/**
 * CESQL's grammar (CloudEvents SQL 1.0, §2 and CESQLParser.g4) as a precedence-climbing
 * parser. Precedence, highest first (§3.6): function calls, unary NOT and `-`, LIKE,
 * EXISTS, IN, `* / %`, `+ -`, comparisons, then AND, OR and XOR together; operators of one
 * level group left to right, as §3.6 says (so `a AND b OR c` is `(a AND b) OR c`).
 */

import type { BinaryOperator, CesqlNode } from './ast.ts';
import { type Token, tokenize } from './lexer.ts';
import { compileLike } from './like.ts';
import { CesqlParseError } from './parse-error.ts';
import { INT_MAX, INT_MIN } from './values.ts';

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'IN', 'EXISTS', 'TRUE', 'FALSE']);
const LOGIC = new Set(['AND', 'OR', 'XOR']);
/** Binding power of each infix operator: higher binds tighter. */
const POWER: Readonly<Record<string, number>> = {
  AND: 1,
  OR: 1,
  XOR: 1,
  '=': 2,
  '!=': 2,
  '<>': 2,
  '<': 2,
  '<=': 2,
  '>': 2,
  '>=': 2,
  '+': 3,
  '-': 3,
  '*': 4,
  '/': 4,
  '%': 4,
  IN: 5,
  LIKE: 6,
};
/** The operand of a unary operator takes no infix operator at all. */
const UNARY = 7;
/** §2.2: "( lowercase-char | digit )+"; upper case is folded (the TCK's `EXISTS SOURCE`). */
const IDENTIFIER = /^[A-Za-z0-9]+$/;
/** §2.4: "char ( "_" | char )*". */
const FUNCTION_NAME = /^[A-Za-z][A-Za-z_]*$/;

export function parseCesql(source: string): CesqlNode {
  return new Parser(source).parse();
}

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #at = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parse(): CesqlNode {
    if (this.#peek().kind === 'end') throw this.#error(this.#peek(), 'the expression is empty');
    const node = this.#expression(0);
    const rest = this.#peek();
    if (rest.kind !== 'end') throw this.#error(rest, `unexpected ${describe(rest)} after a complete expression`);
    return node;
  }

  #expression(minPower: number): CesqlNode {
    let left = this.#prefix();
    for (;;) {
      const token = this.#peek();
      const negated = keyword(token) === 'NOT';
      const operator = negated ? keyword(this.#peek(1)) : infix(token);
      const power = operator === undefined ? undefined : POWER[operator];
      if (power === undefined || power <= minPower || (negated && operator !== 'LIKE' && operator !== 'IN')) {
        return left;
      }
      this.#at += negated ? 2 : 1;
      if (operator === 'LIKE') left = this.#like(left, negated);
      else if (operator === 'IN') left = { kind: 'in', operand: left, set: this.#set(), negated };
      else left = { kind: 'binary', operator: operator as BinaryOperator, left, right: this.#expression(power) };
    }
  }

  #prefix(): CesqlNode {
    const token = this.#next();
    if (token.kind === 'number') return this.#integer(token, token.text);
    if (token.kind === 'string') return { kind: 'literal', value: token.text };
    if (token.kind === 'symbol') {
      const next = this.#peek();
      // A sign written against its digits is part of the literal (§2.2 integer-literal).
      if ((token.text === '-' || token.text === '+') && next.kind === 'number' && next.start === token.end) {
        this.#at++;
        return this.#integer(token, token.text + next.text);
      }
      if (token.text === '-') return { kind: 'negate', operand: this.#expression(UNARY) };
      if (token.text === '(') {
        const inner = this.#expression(0);
        this.#expect(')', 'to close the parenthesis');
        return inner;
      }
    }
    if (token.kind === 'word') return this.#word(token);
    throw this.#error(token, `expected a value, an attribute or a function call, got ${describe(token)}`);
  }

  #word(token: Token): CesqlNode {
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'literal', value: upper === 'TRUE' };
    if (upper === 'NOT') return { kind: 'not', operand: this.#expression(UNARY) };
    if (upper === 'EXISTS') return { kind: 'exists', name: this.#identifier(this.#next()) };
    if (KEYWORDS.has(upper)) throw this.#error(token, `expected a value before ${upper}`);
    if (this.#peek().kind === 'symbol' && this.#peek().text === '(') {
      if (!FUNCTION_NAME.test(token.text)) {
        throw this.#error(token, `'${token.text}' is not a function name (letters and underscores)`);
      }
      this.#at++;
      return { kind: 'call', name: upper, args: this.#arguments(), start: token.start };
    }
    return { kind: 'attribute', name: this.#identifier(token) };
  }

  #identifier(token: Token): string {
    if (token.kind !== 'word' || KEYWORDS.has(token.text.toUpperCase()) || !IDENTIFIER.test(token.text)) {
      throw this.#error(token, `expected an attribute name (letters and digits), got ${describe(token)}`);
    }
    return token.text.toLowerCase();
  }

  #integer(token: Token, text: string): CesqlNode {
    const value = Number(text);
    if (value < INT_MIN || value > INT_MAX) {
      throw this.#error(token, `${text} is out of the range of a 32-bit integer (${INT_MIN} to ${INT_MAX})`);
    }
    return { kind: 'literal', value: value === 0 ? 0 : value };
  }

  /** §3.4.3: "The pattern of the LIKE operator MUST be a string literal". */
  #like(operand: CesqlNode, negated: boolean): CesqlNode {
    const pattern = this.#next();
    if (pattern.kind !== 'string') {
      throw this.#error(pattern, `LIKE takes a string literal pattern, got ${describe(pattern)}`);
    }
    return { kind: 'like', operand, pattern: pattern.text, matches: compileLike(pattern.text), negated };
  }

  /** `( expression (, expression)* )`: a set is never empty. */
  #set(): CesqlNode[] {
    this.#expect('(', 'to open the set after IN');
    const set = [this.#expression(0)];
    while (this.#accept(',')) set.push(this.#expression(0));
    this.#expect(')', 'to close the set');
    return set;
  }

  #arguments(): CesqlNode[] {
    if (this.#accept(')')) return [];
    const args = [this.#expression(0)];
    while (this.#accept(',')) args.push(this.#expression(0));
    this.#expect(')', 'to close the argument list');
    return args;
  }

  #accept(symbol: string): boolean {
    const token = this.#peek();
    if (token.kind !== 'symbol' || token.text !== symbol) return false;
    this.#at++;
    return true;
  }

  #expect(symbol: string, why: string): void {
    if (!this.#accept(symbol))
      throw this.#error(this.#peek(), `expected '${symbol}' ${why}, got ${describe(this.#peek())}`);
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#at + ahead, this.#tokens.length - 1)] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#at++;
    return token;
  }

  #error(token: Token, reason: string): CesqlParseError {
    return new CesqlParseError(this.#source, token.start, reason);
  }
}

function keyword(token: Token): string | undefined {
  return token.kind === 'word' ? token.text.toUpperCase() : undefined;
}

function infix(token: Token): string | undefined {
  if (token.kind === 'symbol') return token.text;
  const word = keyword(token);
  return word !== undefined && (LOGIC.has(word) || word === 'LIKE' || word === 'IN') ? word : undefined;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return `the string ${JSON.stringify(token.text)}`;
  return `'${token.text}'`;
}
