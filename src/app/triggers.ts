/**
 * Trigger tables, in every format. Their fields are the adapters' business (validated when
 * the app starts); here: that each names a defined component, that its templates name
 * declared variables, and `[application.trigger.<type>]` defaults with their `module`.
 */

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig, TriggerConfig, VariableDecl } from './model.ts';
import { isTable, kind, TriggerTable } from './table.ts';
import { checkTemplatesDeep } from './variable-decls.ts';

interface Context {
  file: string;
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
      throw table.error(type, `expected a list of tables ([[trigger.${type}]]), got ${got}`);
    }
    list.forEach((raw: unknown, i) => {
      if (!isTable(raw)) throw table.error(`${type}[${i}]`, `expected a table, got ${kind(raw)}`);
      triggers.push({ type, table: `trigger.${type}[${i}]`, raw });
    });
  }
  return triggers;
}

/** Each trigger names a defined component, and its templates name declared variables. */
export function checkTrigger(
  trigger: TriggerConfig,
  file: string,
  app: Pick<AppConfig, 'components' | 'variables'>,
): void {
  const table = new TriggerTable(file, trigger.table, trigger.raw);
  const component = table.take('component');
  if (component === undefined) throw table.error('component', 'is required (the id of the component to run)');
  if (isTable(component)) {
    throw table.error(
      'component',
      'inline component tables are not supported: define the component in its own table and give its id here',
    );
  }
  if (typeof component !== 'string') throw table.error('component', `expected a component id, got ${kind(component)}`);
  if (!Object.hasOwn(app.components, component))
    throw table.error('component', `no component '${component}' is defined`);
  checkTemplatesDeep(file, trigger.table, trigger.raw, app.variables);
}

/**
 * `[application.trigger.<type>]` (Spin v1: the top-level `trigger` table less its `type`):
 * defaults for every trigger of that type, and `module`, the adapter for a type spindle
 * does not ship (a package name, or a path relative to the manifest).
 */
export function parseTriggerDefaults(
  type: string,
  table: TriggerTable,
  ctx: Context,
  into: Pick<AppConfig, 'triggerDefaults' | 'triggerModules'>,
): void {
  const module = table.optionalString('module');
  if (module !== undefined) into.triggerModules[type] = resolveModule(table, module, ctx.dir);
  const defaults: Record<string, unknown> = {};
  for (const key of table.keys()) if (key !== 'module') defaults[key] = table.take(key);
  checkTemplatesDeep(ctx.file, table.table, defaults, ctx.declared);
  into.triggerDefaults[type] = defaults;
}

function resolveModule(table: TriggerTable, module: string, dir: string): string {
  if (module === '') throw table.error('module', 'expected a package name or a path, got an empty string');
  const isPath = module.startsWith('./') || module.startsWith('../') || module.startsWith('/');
  if (!isPath) return module;
  const path = resolve(dir, module);
  if (!existsSync(path)) throw table.error('module', `no such file: ${path}`);
  return path;
}
