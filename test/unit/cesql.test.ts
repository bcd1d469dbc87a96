import { describe, expect, it } from 'vitest';
import { CesqlFilter, CesqlParseError, evaluateCesql, parseCesql } from '../../src/delivery/cesql/index.ts';
import type { CloudEvent } from '../../src/event.ts';

const event = (changes: Partial<CloudEvent> = {}): CloudEvent => ({
  id: 'e1',
  source: '/shop',
  type: 'order.created',
  specversion: '1.0',
  extensions: {},
  ...changes,
});
const passes = (expression: string, e: CloudEvent) => new CesqlFilter(expression).test(e);
const value = (expression: string, attributes: Record<string, string> = {}) => {
  const result = evaluateCesql(parseCesql(expression), (name) =>
    Object.hasOwn(attributes, name) ? attributes[name] : undefined,
  );
  return { value: result.value, errors: result.errors.map((e) => e.kind) };
};

describe('CESQL filters on spindle events (spec §5 examples)', () => {
  const francesco = event({
    subject: 'Francesco Guardiani',
    extensions: { firstname: 'Francesco', lastname: 'Guardiani' },
  });
  it.each([
    ['EXISTS subject', francesco, true],
    ['EXISTS subject', event(), false],
    ["firstname = 'Francesco'", francesco, true],
    [
      "firstname = 'Francesco' OR subject = 'Francesco'",
      event({ subject: 'Francesco', extensions: { firstname: 'Doug' } }),
      true,
    ],
    // A missing attribute is an error, and an error never passes (§1.2, §3.2) ...
    ["firstname = 'Francesco' OR subject = 'Francesco'", event({ subject: 'Francesco' }), false],
    // ... unless EXISTS guards it (AND short-circuits).
    ["(EXISTS firstname AND firstname = 'Francesco') OR subject = 'Francesco'", event({ subject: 'Francesco' }), true],
    ["(firstname = 'Francesco' AND lastname = 'Guardiani') OR subject = 'Francesco Guardiani'", francesco, true],
    ['sequence = 10', event({ extensions: { sequence: '10' } }), true],
    ['sequence = 10', event({ extensions: { sequence: '010' } }), true],
    ['sequence = 10', event({ extensions: { sequence: 'ten' } }), false],
    ['hop < ttl', event({ extensions: { hop: '5', ttl: '10' } }), true],
    // Strings would compare "5" > "10"; `<` is Integer x Integer, so both are cast.
    ['hop < ttl', event({ extensions: { hop: '50', ttl: '10' } }), false],
  ])('%s', (expression, e, expected) => {
    expect(passes(expression, e)).toBe(expected);
  });

  it("Knative's example: source LIKE and type IN", () => {
    const expression = "source LIKE '%commerce%' AND type IN ('order.created', 'order.updated', 'order.canceled')";
    expect(passes(expression, event({ source: '/ecommerce/eu' }))).toBe(true);
    expect(passes(expression, event({ source: '/ecommerce/eu', type: 'order.shipped' }))).toBe(false);
    expect(passes(expression, event())).toBe(false);
  });

  it('does not pass an event whose evaluation raised an error (§1.2), even one that would be TRUE', () => {
    expect(passes('missing = 1 OR TRUE', event())).toBe(false);
    expect(passes('NOT (missing = 1)', event())).toBe(false);
    expect(passes('1 / INT(n) = 0', event({ extensions: { n: '0' } }))).toBe(false);
    expect(passes('INT(subject) > 3', event({ subject: 'x' }))).toBe(false);
    expect(passes("LEFT(subject, -1) = 'x'", event({ subject: 'x' }))).toBe(false);
  });

  it('reads no property of Object.prototype as an attribute', () => {
    expect(passes('EXISTS constructor', event())).toBe(false);
    expect(passes("constructor = 'x'", event({ extensions: { constructor: 'x' } }))).toBe(true);
  });
});

describe('CESQL semantics the TCK leaves open', () => {
  it('groups AND, OR and XOR left to right at one precedence (§3.6)', () => {
    expect(value('TRUE OR TRUE AND FALSE')).toEqual({ value: false, errors: [] });
    expect(value('FALSE AND TRUE OR TRUE')).toEqual({ value: true, errors: [] });
    expect(value('NOT FALSE AND FALSE')).toEqual({ value: false, errors: [] });
    // Unary operators bind tightest (§3.6): (NOT 1) = 2, that is FALSE = 2, 0 = 2.
    expect(value('NOT 1 = 2')).toEqual({ value: false, errors: [] });
    expect(value('NOT (1 = 2)')).toEqual({ value: true, errors: [] });
    // LIKE and IN bind tighter than arithmetic and comparison: 1 + (2 IN (2)) = 1 + 1.
    expect(value('1 + 2 IN (2)')).toEqual({ value: 2, errors: [] });
    expect(value('1 + 2 * 3 = 7 AND 10 - 2 - 3 = 5')).toEqual({ value: true, errors: [] });
  });

  it('reports Integer overflow as a MathError with 0, never wrapping around', () => {
    expect(value('2147483647 + 1')).toEqual({ value: 0, errors: ['math'] });
    expect(value('-2147483648 - 1')).toEqual({ value: 0, errors: ['math'] });
    expect(value('65536 * 65536')).toEqual({ value: 0, errors: ['math'] });
    expect(value('-2147483648 / -1')).toEqual({ value: 0, errors: ['math'] });
    expect(value('- -2147483648')).toEqual({ value: 0, errors: ['math'] });
    expect(value('-7 / 2')).toEqual({ value: -3, errors: [] });
    expect(value('-7 % 2')).toEqual({ value: -1, errors: [] });
  });

  it('casts strings to Integer only within 32 bits', () => {
    expect(value("INT('2147483648')")).toEqual({ value: 0, errors: ['cast'] });
    expect(value("INT('+42')")).toEqual({ value: 42, errors: [] });
    expect(value("INT(' 42')")).toEqual({ value: 0, errors: ['cast'] });
    expect(value("IS_INT('12') AND NOT IS_INT('1.5') AND IS_BOOL('False') AND IS_STRING(3)")).toEqual({
      value: true,
      errors: [],
    });
  });

  it('counts and cuts strings in Unicode characters', () => {
    expect(value("LENGTH('día👍')")).toEqual({ value: 4, errors: [] });
    expect(value("SUBSTRING('día👍x', -2, 1)")).toEqual({ value: '👍', errors: [] });
    expect(value("'👍' LIKE '_'")).toEqual({ value: true, errors: [] });
    expect(value("TRIM('\u00a0 a\u2003')")).toEqual({ value: 'a', errors: [] });
  });

  it.each([
    ["'a' LIKE 'a%a'", false],
    ["'aa' LIKE 'a%a'", true],
    ["'abab' LIKE '%ab%ab%'", true],
    ["'aba' LIKE '%ab%ab%'", false],
    ["'xaby' LIKE 'x%ab%y'", true],
    ["'xaby' LIKE 'x%%y'", true],
    ["'xy' LIKE 'xy%'", true],
    ["'50%' LIKE '%\\%'", true],
    ["'50' LIKE '%\\%'", false],
  ])('LIKE without `_`: %s', (expression, expected) => {
    expect(value(expression)).toEqual({ value: expected, errors: [] });
  });

  it('matches a LIKE pattern against a long value without backtracking blow-up', () => {
    const long = 'a'.repeat(20_000);
    expect(value("x LIKE '%a%a%a%a%a%b'", { x: long })).toEqual({ value: false, errors: [] });
    expect(value("x LIKE '%a%a%a%a%a%'", { x: long })).toEqual({ value: true, errors: [] });
  });

  it('calls functions case-insensitively and reports an unknown one as a MissingFunctionError', () => {
    expect(value("concat_ws('-', 'a', 'b')")).toEqual({ value: 'a-b', errors: [] });
    expect(value('NOPE(1)')).toEqual({ value: false, errors: ['missingFunction'] });
    expect(value('SUBSTRING(1)')).toEqual({ value: false, errors: ['missingFunction'] });
  });

  it('stops an argument with an error at the function: its zero value, no call', () => {
    expect(value('LENGTH(missing)')).toEqual({ value: 0, errors: ['missingAttribute'] });
    expect(value("UPPER(INT('x'))")).toEqual({ value: '', errors: ['cast'] });
  });
});

describe('CESQL parse errors say where and why', () => {
  it.each([
    ['', 1, 'the expression is empty'],
    ["'abc", 1, "the string starting here has no closing '"],
    ['a = 1 b', 7, "unexpected 'b' after a complete expression"],
    ['a ! b', 3, 'unexpected character "!"'],
    ['(a = 1', 7, "expected ')' to close the parenthesis, got the end of the expression"],
    ['a IN ()', 7, "expected a value, an attribute or a function call, got ')'"],
    ['a IN 1', 6, "expected '(' to open the set after IN, got '1'"],
    ['EXISTS 12', 8, "expected an attribute name (letters and digits), got '12'"],
    ['my_ext = 1', 1, "expected an attribute name (letters and digits), got 'my_ext'"],
    ['F1(x)', 1, "'F1' is not a function name (letters and underscores)"],
    ['2147483648 > 0', 1, '2147483648 is out of the range of a 32-bit integer (-2147483648 to 2147483647)'],
    ['a AND OR b', 7, 'expected a value before OR'],
  ])('%j', (expression, column, reason) => {
    expect(() => parseCesql(expression)).toThrow(
      expect.objectContaining({ constructor: CesqlParseError, column, reason }),
    );
  });
});
