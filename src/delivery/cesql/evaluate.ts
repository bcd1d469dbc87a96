/**
 * Evaluates a parsed CESQL expression against one event's attributes (CloudEvents SQL 1.0,
 * §3). Every operator and function is total: it returns a value of its type and pushes
 * errors. An operand that raised an error (a missing attribute, a failed cast, a division
 * by zero) makes its operator return the zero value of the operator's type without
 * computing (§3.2: "the subexpression referencing the missing attribute MUST evaluate to
 * the zero value for the return type of the subexpression"; the other errors the same
 * way, the spec's fail-fast mode of §4.1 that filters SHOULD use). AND and OR short-circuit.
 */

import type { BinaryOperator, CesqlNode } from './ast.ts';
import { resolveFunction } from './functions.ts';
import { type CesqlError, type CesqlType, type CesqlValue, cast, INT_MIN, inIntRange, typeOf, ZERO } from './values.ts';

/** An attribute's value, or undefined when the event has no such attribute. */
export type AttributeLookup = (name: string) => CesqlValue | undefined;

export interface CesqlResult {
  readonly value: CesqlValue;
  /** Empty when the evaluation raised no error. */
  readonly errors: readonly CesqlError[];
}

export function evaluateCesql(node: CesqlNode, lookup: AttributeLookup): CesqlResult {
  const errors: CesqlError[] = [];
  const value = new Evaluation(lookup, errors).value(node);
  return { value, errors };
}

/** Marks an operand that raised an error: its operator gives its own zero value. */
const FAILED = Symbol('failed');
type Operand = CesqlValue | typeof FAILED;

class Evaluation {
  readonly #lookup: AttributeLookup;
  readonly #errors: CesqlError[];

  constructor(lookup: AttributeLookup, errors: CesqlError[]) {
    this.#lookup = lookup;
    this.#errors = errors;
  }

  value(node: CesqlNode): CesqlValue {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'attribute': {
        const value = this.#lookup(node.name);
        if (value !== undefined) return value;
        this.#errors.push({ kind: 'missingAttribute', message: `the event has no attribute '${node.name}'` });
        return false; // §3.2: a Boolean when the type cannot be told
      }
      case 'exists':
        return this.#lookup(node.name) !== undefined;
      case 'not': {
        const x = this.#operand(node.operand, 'Boolean');
        return x === FAILED ? false : !x;
      }
      case 'negate':
        return this.#negate(this.#operand(node.operand, 'Integer'));
      case 'binary':
        return this.#binary(node.operator, node.left, node.right);
      case 'like': {
        const x = this.#operand(node.operand, 'String');
        return x === FAILED ? false : node.matches(x as string) !== node.negated;
      }
      case 'in':
        return this.#in(node.operand, node.set, node.negated);
      case 'call':
        return this.#call(node.name, node.args);
    }
  }

  /** `node`'s value cast to `type` (undefined: as it is), or FAILED if either raised an error. */
  #operand(node: CesqlNode, type: CesqlType | undefined): Operand {
    const before = this.#errors.length;
    let value = this.value(node);
    if (type !== undefined && this.#errors.length === before) value = cast(value, type, this.#errors);
    return this.#errors.length === before ? value : FAILED;
  }

  #negate(x: Operand): number {
    if (x === FAILED) return 0;
    if (x === INT_MIN) return this.#math(`-(${INT_MIN}) overflows a 32-bit integer`);
    return x === 0 ? 0 : -(x as number);
  }

  #binary(operator: BinaryOperator, left: CesqlNode, right: CesqlNode): CesqlValue {
    switch (operator) {
      case 'AND':
      case 'OR': {
        const x = this.#operand(left, 'Boolean');
        if (x === FAILED) return false;
        if (x === (operator === 'OR')) return x; // short-circuit (§3.4.2)
        const y = this.#operand(right, 'Boolean');
        return y === FAILED ? false : y;
      }
      case 'XOR': {
        const x = this.#operand(left, 'Boolean');
        const y = x === FAILED ? FAILED : this.#operand(right, 'Boolean');
        return x === FAILED || y === FAILED ? false : x !== y;
      }
      case '=':
      case '!=':
      case '<>': {
        const equal = this.#equal(left, right);
        return equal === FAILED ? false : equal === (operator === '=');
      }
      default:
        return this.#integers(operator, left, right);
    }
  }

  /**
   * `=` is ambiguous (§3.7): defined for each type, the right operand's type picks the
   * definition and the left operand is cast to it.
   */
  #equal(left: CesqlNode, right: CesqlNode): boolean | typeof FAILED {
    const x = this.#operand(left, undefined);
    if (x === FAILED) return FAILED;
    const y = this.#operand(right, undefined);
    if (y === FAILED) return FAILED;
    const before = this.#errors.length;
    const converted = cast(x, typeOf(y), this.#errors);
    return this.#errors.length === before ? converted === y : FAILED;
  }

  /** The Integer x Integer operators: arithmetic (§3.4.2) and ordering comparisons. */
  #integers(operator: BinaryOperator, left: CesqlNode, right: CesqlNode): CesqlValue {
    const comparison = operator === '<' || operator === '<=' || operator === '>' || operator === '>=';
    const x = this.#operand(left, 'Integer');
    const y = x === FAILED ? FAILED : this.#operand(right, 'Integer');
    if (x === FAILED || y === FAILED) return comparison ? false : 0;
    const [a, b] = [x as number, y as number];
    switch (operator) {
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case '/':
      case '%': {
        if (b === 0) return this.#math(`${a} ${operator} 0: division by zero`);
        // Rounded towards 0; the remainder has the sign of `a` (JavaScript's % already does).
        return this.#checked(operator === '/' ? Math.trunc(a / b) : a % b, `${a} ${operator} ${b}`);
      }
      case '*':
        return this.#checked(a * b, `${a} * ${b}`);
      case '+':
        return this.#checked(a + b, `${a} + ${b}`);
      default:
        return this.#checked(a - b, `${a} - ${b}`);
    }
  }

  /**
   * An Integer result out of the 32-bit range is a MathError (and 0), never a wrap-around;
   * `| 0` turns a -0 (from -4 % 2, say) into 0.
   */
  #checked(result: number, what: string): number {
    return inIntRange(result) ? result | 0 : this.#math(`${what} overflows a 32-bit integer`);
  }

  #math(message: string): number {
    this.#errors.push({ kind: 'math', message });
    return 0;
  }

  /** §3.4.5: `=` against each element, the element cast to the left operand's type. */
  #in(operand: CesqlNode, set: readonly CesqlNode[], negated: boolean): boolean {
    const x = this.#operand(operand, undefined);
    if (x === FAILED) return false;
    const type = typeOf(x);
    for (const element of set) {
      const y = this.#operand(element, type);
      if (y === FAILED) return false;
      if (y === x) return !negated;
    }
    return negated;
  }

  #call(name: string, args: readonly CesqlNode[]): CesqlValue {
    const fn = resolveFunction(name, args.length);
    if (fn === undefined) {
      this.#errors.push({
        kind: 'missingFunction',
        message: `there is no function ${name} of ${args.length} arguments`,
      });
      return false;
    }
    const values: CesqlValue[] = [];
    for (const [i, arg] of args.entries()) {
      const type = fn.params[i] ?? fn.variadic;
      const value = this.#operand(arg, type === 'Any' ? undefined : type);
      if (value === FAILED) return ZERO[fn.returns];
      values.push(value);
    }
    return fn.call(values, this.#errors);
  }
}
