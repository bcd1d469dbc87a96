/**
 * spindle.toml and Spin v2 spin.toml: `[application]`, `[variables]`, `[[trigger.<type>]]`,
 * `[component.<id>]`. spindle's own additions (`instances`, any trigger type, `module` in
 * `[application.trigger.<type>]`) are accepted in both files.
 */

import { newApp } from './app-identity.ts';
import { COMPONENT_ID, COMPONENT_ID_RULE, parseComponent } from './component.ts';
import { parseLimits } from './limits.ts';
import type { AppConfig } from './model.ts';
import type { ManifestProblems } from './problems.ts';
import { TriggerTable } from './table.ts';
import { checkTrigger, parseTriggerDefaults, parseTriggerLists } from './triggers.ts';
import { rejectUnsupported, UNSUPPORTED_APPLICATION_FIELDS } from './unsupported.ts';
import { parseVariableDecls } from './variable-decls.ts';

export interface ParseOptions {
  file: string;
  /** Absolute directory of the manifest. */
  dir: string;
  checkSources: boolean;
}

/** Every problem is reported to `problems`; the app returned is only usable when there are none. */
export function parseManifestV2(
  doc: Record<string, unknown>,
  opts: ParseOptions,
  problems: ManifestProblems,
): AppConfig {
  const { file, dir } = opts;
  const root = new TriggerTable(file, '', doc, problems);
  root.take('spin_manifest_version'); // checked by the format detection
  root.take('tool'); // Spin's `[tool.<name>]`: metadata for other tools, by design not Spin's.
  const application = root.optionalTable('application') ?? root.sibling('application', {});
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(application, { file, dir }, variables);

  const appTriggers = application.optionalTable('trigger');
  for (const type of appTriggers?.keys() ?? []) {
    const table = appTriggers?.optionalTable(type);
    if (table !== undefined) parseTriggerDefaults(type, table, { dir, declared: variables }, app);
  }
  const limits = parseLimits(application.optionalTable('limits'));
  if (Object.keys(limits).length > 0) app.limits = limits;
  rejectUnsupported(application, UNSUPPORTED_APPLICATION_FIELDS);
  application.done(['name', 'version', 'description', 'authors', 'trigger', 'limits']);

  const components = root.optionalTable('component');
  const componentIds = new Set(components?.keys());
  for (const id of componentIds) {
    const table = components?.optionalTable(id);
    if (table === undefined) continue;
    if (!COMPONENT_ID.test(id)) table.report(undefined, `'${id}' is not a valid component id: ${COMPONENT_ID_RULE}`);
    const context = {
      file,
      dir,
      declared: variables,
      checkSources: opts.checkSources,
      variablesField: 'variables',
    } as const;
    const component = parseComponent(table, id, context);
    if (component !== undefined) app.components[id] = component;
  }

  app.triggers = parseTriggerLists(root.optionalTable('trigger'));
  for (const trigger of app.triggers) checkTrigger(trigger, root, { componentIds, variables });
  root.done(['spin_manifest_version', 'application', 'variables', 'trigger', 'component']);
  return app;
}
