/**
 * Load-time checks of variables: `[variables]` declarations, component variables, and the
 * templates that refer to them. Resolution at start is variables.ts.
 */

import { ManifestError } from '../errors.ts';
import type { VariableDecl } from './model.ts';
import { isTable, kind, TriggerTable } from './table.ts';
import { parseTemplate, TemplateSyntaxError, VARIABLE_NAME, VARIABLE_NAME_RULE } from './template.ts';

const DECL_FIELDS = ['description', 'default', 'required', 'secret'];

/** `[variables]`: `name = { default = "..." }` or `name = { required = true }`, optionally `secret = true`. */
export function parseVariableDecls(table: TriggerTable | undefined): Record<string, VariableDecl> {
  const decls: Record<string, VariableDecl> = {};
  if (table === undefined) return decls;
  for (const name of table.keys()) {
    if (!VARIABLE_NAME.test(name)) throw table.error(name, `is not a valid variable name: ${VARIABLE_NAME_RULE}`);
    const value = table.take(name);
    if (!isTable(value)) {
      throw table.error(
        name,
        `expected a table such as { default = "..." } or { required = true }, got ${kind(value)}`,
      );
    }
    const decl = new TriggerTable(table.file, `${table.table}.${name}`, value);
    const out: VariableDecl = {};
    const description = decl.optionalString('description');
    const dflt = decl.optionalString('default');
    const required = decl.optionalBoolean('required');
    const secret = decl.optionalBoolean('secret');
    decl.done(DECL_FIELDS);
    if (dflt !== undefined && required === true) {
      throw table.error(name, 'has both a default and required = true: give one or the other');
    }
    if (dflt === undefined && required !== true) {
      throw table.error(name, 'needs a default (default = "...") or required = true');
    }
    if (description !== undefined) out.description = description;
    if (dflt !== undefined) out.default = dflt;
    if (required === true) out.required = true;
    if (secret !== undefined) out.secret = secret;
    decls[name] = out;
  }
  table.done();
  return decls;
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
    if (!VARIABLE_NAME.test(name)) throw table.error(name, `is not a valid variable name: ${VARIABLE_NAME_RULE}`);
    const template = table.string(name);
    checkTemplate(table.file, table.table, name, template, declared);
    out[name] = template;
  }
  table.done();
  return out;
}

/** A string field that may hold `{{ name }}` templates: each must name a declared app variable. */
export function checkTemplate(
  file: string,
  table: string,
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
    throw new ManifestError(file, table, field, `invalid template: ${error.message}`, { cause: error });
  }
  for (const part of parts) {
    if ('variable' in part && !Object.hasOwn(declared, part.variable)) {
      throw new ManifestError(
        file,
        table,
        field,
        `refers to variable '${part.variable}', which is not declared in [variables]`,
      );
    }
  }
}

/** Check every string inside a trigger table (nested tables and lists included). */
export function checkTemplatesDeep(
  file: string,
  table: string,
  raw: Readonly<Record<string, unknown>>,
  declared: Record<string, VariableDecl>,
): void {
  const visit = (value: unknown, field: string): void => {
    if (typeof value === 'string') checkTemplate(file, table, field, value, declared);
    else if (Array.isArray(value)) for (const [i, v] of value.entries()) visit(v, `${field}[${i}]`);
    else if (isTable(value)) for (const [k, v] of Object.entries(value)) visit(v, `${field}.${k}`);
  };
  for (const [k, v] of Object.entries(raw)) visit(v, k);
}
