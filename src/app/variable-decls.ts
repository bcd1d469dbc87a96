/**
 * Load-time checks of variables: `[variables]` declarations, component variables, and the
 * templates that refer to them. Resolution at start is variables.ts.
 */

import type { VariableDecl } from './model.ts';
import { isTable, kind, type TriggerTable } from './table.ts';
import { parseTemplate, TemplateSyntaxError, VARIABLE_NAME, VARIABLE_NAME_RULE } from './template.ts';

const DECL_FIELDS = ['description', 'default', 'required', 'secret'];

/**
 * `[variables]`: `name = { default = "..." }` or `name = { required = true }`, optionally
 * `secret = true`. A declaration with a problem still declares its name, so that the
 * templates that use it report nothing more.
 */
export function parseVariableDecls(table: TriggerTable | undefined): Record<string, VariableDecl> {
  const decls: Record<string, VariableDecl> = {};
  if (table === undefined) return decls;
  for (const name of table.keys()) {
    if (!VARIABLE_NAME.test(name)) table.report(name, `is not a valid variable name: ${VARIABLE_NAME_RULE}`);
    const value = table.take(name);
    decls[name] = {};
    if (!isTable(value)) {
      table.report(name, `expected a table such as { default = "..." } or { required = true }, got ${kind(value)}`);
      continue;
    }
    decls[name] = parseVariableDecl(table, name, table.sibling(`${table.table}.${name}`, value));
  }
  table.done();
  return decls;
}

function parseVariableDecl(table: TriggerTable, name: string, decl: TriggerTable): VariableDecl {
  const out: VariableDecl = {};
  const description = decl.optionalString('description');
  const dflt = decl.optionalString('default');
  const required = decl.optionalBoolean('required');
  const secret = decl.optionalBoolean('secret');
  decl.done(DECL_FIELDS);
  if (decl.hasProblems) return out;
  if (dflt !== undefined && required === true) {
    table.report(name, 'has both a default and required = true: give one or the other');
  } else if (dflt === undefined && required !== true) {
    table.report(name, 'needs a default (default = "...") or required = true');
  }
  if (description !== undefined) out.description = description;
  if (dflt !== undefined) out.default = dflt;
  if (required === true) out.required = true;
  if (secret !== undefined) out.secret = secret;
  return out;
}

/**
 * `[component.<id>.variables]` (`[component.config]` in Spin v1): name -> template. Names
 * follow the app variable rule; templates may only name declared app variables.
 */
export function parseComponentVariables(
  table: TriggerTable | undefined,
  declared: Record<string, VariableDecl>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (table === undefined) return out;
  for (const name of table.keys()) {
    if (!VARIABLE_NAME.test(name)) table.report(name, `is not a valid variable name: ${VARIABLE_NAME_RULE}`);
    const template = table.optionalString(name);
    if (template === undefined) continue;
    checkTemplate(table, name, template, declared);
    out[name] = template;
  }
  table.done();
  return out;
}

/**
 * A string field of `table` that may hold `{{ name }}` templates: each must name a
 * declared app variable. Whether it does is reported on `table`.
 */
export function checkTemplate(
  table: TriggerTable,
  field: string,
  value: string,
  declared: Record<string, VariableDecl>,
): void {
  if (!value.includes('{{')) return;
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(value);
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
    table.report(field, `invalid template: ${error.message}`, { cause: error });
    return;
  }
  for (const part of parts) {
    if ('variable' in part && !Object.hasOwn(declared, part.variable)) {
      table.report(field, `refers to variable '${part.variable}', which is not declared in [variables]`);
    }
  }
}

/** Check every string in `raw`, a trigger table's fields (nested tables and lists included). */
export function checkTemplatesDeep(
  table: TriggerTable,
  raw: Readonly<Record<string, unknown>>,
  declared: Record<string, VariableDecl>,
): void {
  const visit = (value: unknown, field: string): void => {
    if (typeof value === 'string') checkTemplate(table, field, value, declared);
    else if (Array.isArray(value)) for (const [i, v] of value.entries()) visit(v, `${field}[${i}]`);
    else if (isTable(value)) for (const [k, v] of Object.entries(value)) visit(v, `${field}.${k}`);
  };
  for (const [k, v] of Object.entries(raw)) visit(v, k);
}
