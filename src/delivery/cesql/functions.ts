/**
 * CESQL's built-in functions (CloudEvents SQL 1.0, §3.5, and the casting functions of the
 * TCK). Names are case-insensitive (kept upper-cased); overloads differ by arity (§3.5).
 * Strings are measured and cut in Unicode characters (code points), not UTF-16 units.
 */

import { type CesqlError, type CesqlType, type CesqlValue, cast, castsTo, INT_MAX, INT_MIN } from './values.ts';

/** `Any` takes an argument as it is (the casting functions). */
export type ParameterType = CesqlType | 'Any';

export interface CesqlFunction {
  readonly params: readonly ParameterType[];
  /** Type of the arguments after `params`, for a variadic function. */
  readonly variadic?: ParameterType;
  readonly returns: CesqlType;
  /** Arguments come cast to the parameter types; errors the function raises go on `errors`. */
  call(args: readonly CesqlValue[], errors: CesqlError[]): CesqlValue;
}

const chars = (value: CesqlValue) => [...(value as string)];

function failed(errors: CesqlError[], message: string): void {
  errors.push({ kind: 'functionEvaluation', message });
}

/** Characters of `x` from 1-based `pos` (negative: from the end), `len` of them if given. */
function substring(args: readonly CesqlValue[], errors: CesqlError[]): string {
  const [x, pos, len] = [chars(args[0] as string), args[1] as number, args[2] as number | undefined];
  if (pos > x.length || pos < -x.length) {
    failed(errors, `SUBSTRING: position ${pos} is outside a string of ${x.length} characters`);
    return '';
  }
  if (len !== undefined && len < 0) {
    failed(errors, `SUBSTRING: length ${len} is negative`);
    return '';
  }
  if (pos === 0) return '';
  const start = pos > 0 ? pos - 1 : x.length + pos;
  return x.slice(start, len === undefined ? undefined : start + len).join('');
}

function side(name: 'LEFT' | 'RIGHT'): CesqlFunction {
  return {
    params: ['String', 'Integer'],
    returns: 'String',
    call([x, y], errors) {
      const count = y as number;
      if (count < 0) {
        failed(errors, `${name}: length ${count} is negative`);
        return x as string;
      }
      const all = chars(x as string);
      return (name === 'LEFT' ? all.slice(0, count) : all.slice(Math.max(0, all.length - count))).join('');
    },
  };
}

const castTo = (to: CesqlType): CesqlFunction => ({
  params: ['Any'],
  returns: to,
  call: ([x], errors) => cast(x as CesqlValue, to, errors),
});

const castable = (to: CesqlType): CesqlFunction => ({
  params: ['Any'],
  returns: 'Boolean',
  call: ([x]) => castsTo(x as CesqlValue, to),
});

/** Every overload of each built-in, by upper-case name. */
export const BUILT_INS: ReadonlyMap<string, readonly CesqlFunction[]> = new Map<string, CesqlFunction[]>([
  ['LENGTH', [{ params: ['String'], returns: 'Integer', call: ([x]) => chars(x as string).length }]],
  ['CONCAT', [{ params: [], variadic: 'String', returns: 'String', call: (args) => args.join('') }]],
  [
    'CONCAT_WS',
    [{ params: ['String'], variadic: 'String', returns: 'String', call: ([sep, ...xs]) => xs.join(sep as string) }],
  ],
  ['LOWER', [{ params: ['String'], returns: 'String', call: ([x]) => (x as string).toLowerCase() }]],
  ['UPPER', [{ params: ['String'], returns: 'String', call: ([x]) => (x as string).toUpperCase() }]],
  // "leading and trailing whitespaces (as defined by unicode)": White_Space, not JS's trim().
  [
    'TRIM',
    [
      {
        params: ['String'],
        returns: 'String',
        call: ([x]) => (x as string).replace(/^\p{White_Space}+|\p{White_Space}+$/gu, ''),
      },
    ],
  ],
  ['LEFT', [side('LEFT')]],
  ['RIGHT', [side('RIGHT')]],
  [
    'SUBSTRING',
    [
      { params: ['String', 'Integer'], returns: 'String', call: substring },
      { params: ['String', 'Integer', 'Integer'], returns: 'String', call: substring },
    ],
  ],
  [
    'ABS',
    [
      {
        params: ['Integer'],
        returns: 'Integer',
        call([x], errors) {
          if (x === INT_MIN) {
            errors.push({ kind: 'math', message: `ABS(${INT_MIN}) overflows a 32-bit integer` });
            return INT_MAX;
          }
          return Math.abs(x as number);
        },
      },
    ],
  ],
  ['INT', [castTo('Integer')]],
  ['BOOL', [castTo('Boolean')]],
  ['STRING', [castTo('String')]],
  ['IS_INT', [castable('Integer')]],
  ['IS_BOOL', [castable('Boolean')]],
  // Every value casts to String (§3.7), so IS_STRING is true of every value.
  ['IS_STRING', [castable('String')]],
]);

/** The overload of `name` that takes `arity` arguments (§3.5: at most one matches). */
export function resolveFunction(name: string, arity: number): CesqlFunction | undefined {
  return BUILT_INS.get(name)?.find((f) =>
    f.variadic === undefined ? f.params.length === arity : arity >= f.params.length,
  );
}
