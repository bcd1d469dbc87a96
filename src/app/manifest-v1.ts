/**
 * Spin v1 spin.toml (`spin_manifest_version = "1"`, or the older `spin_version = "1"`):
 * one app-wide `trigger = { type, ... }` and `[[component]]` tables that each carry their
 * own `[component.trigger]`. Normalised to one TriggerConfig per component, with the
 * app-wide fields (`base`, `address`) as the defaults of that trigger type.
 */

import { newApp } from './app-identity.ts';
import { parseComponent } from './component.ts';
import type { ParseOptions } from './manifest-v2.ts';
import type { AppConfig } from './model.ts';
import { isTable, kind, TriggerTable } from './table.ts';
import { checkTrigger, parseTriggerDefaults } from './triggers.ts';
import { parseVariableDecls } from './variable-decls.ts';

/** Spin v1: "any string of alphanumeric characters, hyphens and underscores". */
const V1_COMPONENT_ID = /^[A-Za-z0-9_-]+$/;

export function parseManifestV1(doc: Record<string, unknown>, opts: ParseOptions): AppConfig {
  const { file, dir } = opts;
  const root = new TriggerTable(file, '', doc);
  root.take('spin_manifest_version'); // checked by the format detection
  root.take('spin_version');
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(root, { file, dir }, variables);

  const appTrigger = root.take('trigger');
  if (!isTable(appTrigger)) {
    const got = appTrigger === undefined ? 'nothing' : kind(appTrigger);
    throw root.error('trigger', `expected a table such as { type = "http", base = "/" }, got ${got}`);
  }
  const type = new TriggerTable(file, 'trigger', appTrigger).string('type');
  const { type: _, ...defaults } = appTrigger;
  parseTriggerDefaults(type, new TriggerTable(file, 'trigger', defaults), { file, dir, declared: variables }, app);

  const components = root.take('component') ?? [];
  if (!Array.isArray(components)) {
    throw root.error('component', `expected a list of tables ([[component]]), got ${kind(components)}`);
  }
  const where = new Map<string, number>();
  components.forEach((raw: unknown, i) => {
    if (!isTable(raw)) throw root.error(`component[${i}]`, `expected a table, got ${kind(raw)}`);
    const table = new TriggerTable(file, `component[${i}]`, raw);
    const id = table.string('id');
    if (!V1_COMPONENT_ID.test(id)) {
      throw table.error('id', `'${id}' is not a valid component id: use letters, digits, hyphens and underscores`);
    }
    const first = where.get(id);
    if (first !== undefined) throw table.error('id', `'${id}' is already the id of component[${first}]`);
    where.set(id, i);
    const trigger = table.optionalTable('trigger');
    if (trigger?.has('component')) {
      throw trigger.error('component', 'is not a v1 field: the trigger runs the [[component]] it belongs to');
    }
    app.triggers.push({ type, table: `component[${i}].trigger`, raw: { component: id, ...trigger?.raw } });
    app.components[id] = parseComponent(table, id, {
      file,
      dir,
      declared: variables,
      checkSources: opts.checkSources,
      variablesField: 'config',
      formatFields: ['id', 'trigger'],
    });
  });

  for (const trigger of app.triggers) checkTrigger(trigger, file, app);
  root.done([
    'spin_manifest_version',
    'name',
    'version',
    'description',
    'authors',
    'trigger',
    'variables',
    'component',
  ]);
  return app;
}
