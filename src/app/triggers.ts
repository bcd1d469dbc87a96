/**
 * Trigger tables, in every format. Their fields are the adapters' business (validated when
 * the app starts); here: that each names a defined component, that its templates name
 * declared variables, and `[application.trigger.<type>]` defaults with their `module`.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig, TriggerConfig, VariableDecl } from './model.ts';
import { isTable, kind, type TriggerTable } from './table.ts';
import { checkTemplatesDeep } from './variable-decls.ts';

/** What reading `[application.trigger.<type>]` needs: where paths are relative to, the variables declared. */
export interface TriggerDefaultsContext {
  dir: string;
  declared: Record<string, VariableDecl>;
}

/** `[[trigger.<type>]]` tables (Spin v2, spindle.toml): a table of lists of tables. */
export function parseTriggerLists(table: TriggerTable | undefined): TriggerConfig[] {
  const triggers: TriggerConfig[] = [];
  if (table === undefined) return triggers;
  for (const type of table.keys()) {
    const list = table.take(type);
    if (!Array.isArray(list)) {
      const got = isTable(list) ? `a single table (write [[trigger.${type}]], not [trigger.${type}])` : kind(list);
      table.report(type, `expected a list of tables ([[trigger.${type}]]), got ${got}`);
      continue;
    }
    list.forEach((raw: unknown, i) => {
      if (isTable(raw)) triggers.push({ type, table: `trigger.${type}[${i}]`, raw });
      else table.report(`${type}[${i}]`, `expected a table, got ${kind(raw)}`);
    });
  }
  return triggers;
}

/**
 * Each trigger names a defined component, and its templates name declared variables.
 * `manifest` is any table of the manifest (for its file and its problems); `componentIds`
 * every id the manifest defines, including those whose tables had problems, so that a
 * trigger of a bad component does not report it missing as well.
 */
export function checkTrigger(
  trigger: TriggerConfig,
  manifest: TriggerTable,
  known: { componentIds: ReadonlySet<string>; variables: AppConfig['variables'] },
): void {
  const table = manifest.sibling(trigger.table, trigger.raw);
  const component = table.take('component');
  if (component === undefined) table.report('component', 'is required (the id of the component to run)');
  else if (isTable(component)) {
    table.report(
      'component',
      'inline component tables are not supported: define the component in its own table and give its id here',
    );
  } else if (typeof component !== 'string') {
    table.report('component', `expected a component id, got ${kind(component)}`);
  } else if (!known.componentIds.has(component)) {
    table.report('component', `no component '${component}' is defined`);
  }
  checkTemplatesDeep(table, trigger.raw, known.variables);
}

/**
 * `[application.trigger.<type>]` (Spin v1: the top-level `trigger` table less its `type`):
 * defaults for every trigger of that type, and `module`, the adapter for a type spindle
 * does not ship (a package name, or a path relative to the manifest).
 */
export function parseTriggerDefaults(
  type: string,
  table: TriggerTable,
  ctx: TriggerDefaultsContext,
  into: Pick<AppConfig, 'triggerDefaults' | 'triggerModules'>,
): void {
  const module = table.optionalString('module');
  const resolved = module === undefined ? undefined : resolveModule(table, module, ctx.dir);
  if (resolved !== undefined) into.triggerModules[type] = resolved;
  const defaults: Record<string, unknown> = {};
  for (const key of table.keys()) if (key !== 'module') defaults[key] = table.take(key);
  checkTemplatesDeep(table, defaults, ctx.declared);
  into.triggerDefaults[type] = defaults;
}

function resolveModule(table: TriggerTable, module: string, dir: string): string | undefined {
  if (module === '') return table.report('module', 'expected a package name or a path, got an empty string');
  const isPath = module.startsWith('./') || module.startsWith('../') || module.startsWith('/');
  if (!isPath) return module;
  const path = resolve(dir, module);
  if (!existsSync(path)) return table.report('module', `no such file: ${path}`);
  return path;
}
