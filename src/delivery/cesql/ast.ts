/** The CESQL syntax tree the parser builds once and the evaluator walks per event. */

import type { CesqlValue } from './values.ts';

export type BinaryOperator =
  | '*'
  | '/'
  | '%'
  | '+'
  | '-'
  | '='
  | '!='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | 'AND'
  | 'OR'
  | 'XOR';

export type CesqlNode =
  | { readonly kind: 'literal'; readonly value: CesqlValue }
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'exists'; readonly name: string }
  | { readonly kind: 'not'; readonly operand: CesqlNode }
  | { readonly kind: 'negate'; readonly operand: CesqlNode }
  | { readonly kind: 'binary'; readonly operator: BinaryOperator; readonly left: CesqlNode; readonly right: CesqlNode }
  | {
      readonly kind: 'like';
      readonly operand: CesqlNode;
      readonly pattern: string;
      readonly matches: (value: string) => boolean;
      readonly negated: boolean;
    }
  | { readonly kind: 'in'; readonly operand: CesqlNode; readonly set: readonly CesqlNode[]; readonly negated: boolean }
  | {
      readonly kind: 'call';
      /** Upper-cased: function names are case-insensitive. */
      readonly name: string;
      readonly args: readonly CesqlNode[];
      /** Offset in the expression, to say where an unknown function is called. */
      readonly start: number;
    };
