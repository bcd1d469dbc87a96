/**
 * CESQL's type system (CloudEvents SQL 1.0, §3.1) and its casts (§3.7). An Integer is a
 * JavaScript number kept in the signed 32-bit range; URIs and timestamps are Strings.
 */

export type CesqlValue = string | number | boolean;
export type CesqlType = 'String' | 'Integer' | 'Boolean';

/** The error kinds every engine must support (§3.3), named as the TCK names them. */
export type CesqlErrorKind =
  | 'parse'
  | 'math'
  | 'cast'
  | 'missingAttribute'
  | 'missingFunction'
  | 'functionEvaluation'
  | 'generic';

export interface CesqlError {
  readonly kind: CesqlErrorKind;
  readonly message: string;
}

export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;

/** §3.1: "For each of the 3 primitive types there is an associated zero value". */
export const ZERO: Readonly<Record<CesqlType, CesqlValue>> = { String: '', Integer: 0, Boolean: false };

export function typeOf(value: CesqlValue): CesqlType {
  if (typeof value === 'string') return 'String';
  if (typeof value === 'number') return 'Integer';
  return 'Boolean';
}

export function inIntRange(value: number): boolean {
  return value >= INT_MIN && value <= INT_MAX;
}

const INTEGER = /^[+-]?[0-9]+$/;

/**
 * §3.7's casts: every cast between the three types is defined; String -> Integer and
 * String -> Boolean fail on a string that is no such value, with a CastError and the
 * target's zero value (pushed on `errors`).
 */
export function cast(value: CesqlValue, to: CesqlType, errors: CesqlError[]): CesqlValue {
  if (typeOf(value) === to) return value;
  switch (to) {
    case 'String':
      return String(value);
    case 'Integer':
      if (typeof value === 'boolean') return value ? 1 : 0;
      return stringToInteger(value as string, errors);
    case 'Boolean':
      if (typeof value === 'number') return value !== 0;
      return stringToBoolean(value as string, errors);
  }
}

function stringToInteger(value: string, errors: CesqlError[]): number {
  const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!inIntRange(parsed)) {
    errors.push({ kind: 'cast', message: `cannot cast ${JSON.stringify(value)} to Integer` });
    return 0;
  }
  return parsed === 0 ? 0 : parsed; // no -0 from "-0"
}

function stringToBoolean(value: string, errors: CesqlError[]): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  errors.push({ kind: 'cast', message: `cannot cast ${JSON.stringify(value)} to Boolean` });
  return false;
}

/** Whether `value` casts to `to` without error (IS_INT, IS_BOOL). */
export function castsTo(value: CesqlValue, to: CesqlType): boolean {
  const errors: CesqlError[] = [];
  cast(value, to, errors);
  return errors.length === 0;
}
