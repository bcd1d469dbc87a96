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
import type { ManifestProblems } from './problems.ts';
import { isTable, kind, TriggerTable } from './table.ts';
import { checkTrigger, parseTriggerDefaults, type TriggerDefaultsContext } from './triggers.ts';
import { parseVariableDecls } from './variable-decls.ts';

/** Spin v1: "any string of alphanumeric characters, hyphens and underscores". */
const V1_COMPONENT_ID = /^[A-Za-z0-9_-]+$/;

/** Every problem is reported to `problems`; the app returned is only usable when there are none. */
export function parseManifestV1(
  doc: Record<string, unknown>,
  opts: ParseOptions,
  problems: ManifestProblems,
): AppConfig {
  const { file, dir } = opts;
  const root = new TriggerTable(file, '', doc, problems);
  root.take('spin_manifest_version'); // checked by the format detection
  root.take('spin_version');
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(root, { file, dir }, variables);
  const type = parseAppTrigger(root, { dir, declared: variables }, app);

  const components = root.take('component') ?? [];
  if (!Array.isArray(components)) {
    root.report('component', `expected a list of tables ([[component]]), got ${kind(components)}`);
  }
  const where = new Map<string, number>();
  (Array.isArray(components) ? components : []).forEach((raw: unknown, i) => {
    if (!isTable(raw)) {
      root.report(`component[${i}]`, `expected a table, got ${kind(raw)}`);
      return;
    }
    const table = root.sibling(`component[${i}]`, raw);
    const id = table.attempt(() => table.string('id'));
    if (id !== undefined && !V1_COMPONENT_ID.test(id)) {
      table.report('id', `'${id}' is not a valid component id: use letters, digits, hyphens and underscores`);
    }
    const first = id === undefined ? undefined : where.get(id);
    if (first !== undefined) table.report('id', `'${id}' is already the id of component[${first}]`);
    else if (id !== undefined) where.set(id, i);
    const trigger = table.optionalTable('trigger');
    if (trigger?.has('component')) {
      trigger.report('component', 'is not a v1 field: the trigger runs the [[component]] it belongs to');
    }
    const component = parseComponent(table, id ?? '', {
      file,
      dir,
      declared: variables,
      checkSources: opts.checkSources,
      variablesField: 'config',
      formatFields: ['id', 'trigger'],
    });
    // Without an id of its own, or without the app's trigger type, there is no trigger to
    // check: what is missing was reported.
    if (id === undefined || type === undefined || first !== undefined) return;
    // The id last: a `component` of the trigger's own is reported above, not checked again.
    app.triggers.push({ type, table: `component[${i}].trigger`, raw: { ...trigger?.raw, component: id } });
    if (component !== undefined) app.components[id] = component;
  });

  const componentIds = new Set(where.keys());
  for (const trigger of app.triggers) checkTrigger(trigger, root, { componentIds, variables });
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

/**
 * The app-wide `trigger = { type, ... }`: its type, returned, and the rest as the
 * defaults of that type; undefined (and reported) when the table or its type is unusable.
 */
function parseAppTrigger(root: TriggerTable, ctx: TriggerDefaultsContext, app: AppConfig): string | undefined {
  const appTrigger = root.take('trigger');
  if (!isTable(appTrigger)) {
    const got = appTrigger === undefined ? 'nothing' : kind(appTrigger);
    return root.report('trigger', `expected a table such as { type = "http", base = "/" }, got ${got}`);
  }
  const trigger = root.sibling('trigger', appTrigger);
  const type = trigger.attempt(() => trigger.string('type'));
  const { type: _, ...defaults } = appTrigger;
  if (type !== undefined) parseTriggerDefaults(type, root.sibling('trigger', defaults), ctx, app);
  return type;
}
