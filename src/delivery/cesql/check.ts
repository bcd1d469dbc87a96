/**
 * What can be known of a CESQL filter before any event arrives (§3.3: "some error checks
 * SHOULD be done at compile time"): a call no built-in answers, and an expression that
 * can never be the Boolean TRUE a filter needs (§1.2).
 */

import type { CesqlNode } from './ast.ts';
import { resolveFunction } from './functions.ts';
import { CesqlParseError } from './parse-error.ts';
import { type CesqlType, typeOf } from './values.ts';

export function checkFilterExpression(source: string, root: CesqlNode): void {
  const unknown = findUnknownCall(root);
  if (unknown !== undefined) {
    throw new CesqlParseError(
      source,
      unknown.start,
      `there is no function ${unknown.name} taking ${unknown.args.length} argument${unknown.args.length === 1 ? '' : 's'}`,
    );
  }
  const type = root.kind === 'attribute' ? 'String' : staticType(root);
  if (type !== undefined && type !== 'Boolean') {
    throw new CesqlParseError(
      source,
      0,
      `the expression is ${type === 'Integer' ? 'an Integer' : 'a String'} and a filter needs a Boolean (compare it, as in subject = 'x')`,
    );
  }
}

function findUnknownCall(node: CesqlNode): Extract<CesqlNode, { kind: 'call' }> | undefined {
  switch (node.kind) {
    case 'call':
      if (resolveFunction(node.name, node.args.length) === undefined) return node;
      return first(node.args);
    case 'not':
    case 'negate':
    case 'like':
      return findUnknownCall(node.operand);
    case 'binary':
      return first([node.left, node.right]);
    case 'in':
      return first([node.operand, ...node.set]);
    default:
      return undefined;
  }
}

function first(nodes: readonly CesqlNode[]) {
  for (const node of nodes) {
    const found = findUnknownCall(node);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The type a node evaluates to, where the syntax tells it (an attribute's does not). */
function staticType(node: CesqlNode): CesqlType | undefined {
  switch (node.kind) {
    case 'literal':
      return typeOf(node.value);
    case 'attribute':
      return undefined;
    case 'negate':
      return 'Integer';
    case 'binary':
      return ['*', '/', '%', '+', '-'].includes(node.operator) ? 'Integer' : 'Boolean';
    case 'call':
      return resolveFunction(node.name, node.args.length)?.returns;
    default:
      return 'Boolean';
  }
}
