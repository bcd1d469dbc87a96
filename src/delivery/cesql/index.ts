/**
 * CloudEvents SQL 1.0 (CESQL) for the `cesql` dialect of trigger `filters`: parsed and
 * checked once when the manifest loads, evaluated per event without parsing again.
 * No maintained JavaScript implementation exists, hence this small one; it passes the
 * spec's TCK (test/fixtures/cesql-tck/).
 */

import { attribute, type CloudEvent } from '../../event.ts';
import type { CesqlNode } from './ast.ts';
import { checkFilterExpression } from './check.ts';
import { evaluateCesql } from './evaluate.ts';
import { parseCesql } from './parser.ts';

export type { AttributeLookup, CesqlResult } from './evaluate.ts';
export { evaluateCesql } from './evaluate.ts';
export { CesqlParseError } from './parse-error.ts';
export { parseCesql } from './parser.ts';
export type { CesqlError, CesqlErrorKind, CesqlType, CesqlValue } from './values.ts';

/** A CESQL filter expression, ready to test events. */
export class CesqlFilter {
  readonly source: string;
  readonly #root: CesqlNode;

  /** Throws a CesqlParseError (column and reason) for an expression no event could pass. */
  constructor(source: string) {
    this.source = source;
    this.#root = parseCesql(source);
    checkFilterExpression(source, this.#root);
  }

  /**
   * Subscriptions API, `sql` dialect: true only if the expression evaluates to the Boolean
   * TRUE without any error; an error or another value does not pass.
   */
  test(event: CloudEvent): boolean {
    const result = evaluateCesql(this.#root, (name) => attribute(event, name));
    return result.value === true && result.errors.length === 0;
  }

  toJSON(): string {
    return this.source;
  }
}
