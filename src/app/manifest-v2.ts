/**
 * spindle.toml and Spin v2 spin.toml: `[application]`, `[variables]`, `[[trigger.<type>]]`,
 * `[component.<id>]`. spindle's own additions (`instances`, any trigger type, `module` in
 * `[application.trigger.<type>]`) are accepted in both files.
 */

import { newApp } from './app-identity.ts';
import { COMPONENT_ID, COMPONENT_ID_RULE, parseComponent } from './component.ts';
import { parseLimits } from './limits.ts';
import type { AppConfig } from './model.ts';
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

export function parseManifestV2(doc: Record<string, unknown>, opts: ParseOptions): AppConfig {
  const { file, dir } = opts;
  const root = new TriggerTable(file, '', doc);
  root.take('spin_manifest_version'); // checked by the format detection
  root.take('tool'); // Spin's `[tool.<name>]`: metadata for other tools, by design not Spin's.
  const application = root.optionalTable('application') ?? new TriggerTable(file, 'application', {});
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(application, { file, dir }, variables);

  const appTriggers = application.optionalTable('trigger');
  for (const type of appTriggers?.keys() ?? []) {
    const table = appTriggers?.optionalTable(type) as TriggerTable; // keys() lists only fields present
    parseTriggerDefaults(type, table, { file, dir, declared: variables }, app);
  }
  const limits = parseLimits(application.optionalTable('limits'));
  if (Object.keys(limits).length > 0) app.limits = limits;
  rejectUnsupported(application, UNSUPPORTED_APPLICATION_FIELDS);
  application.done(['name', 'version', 'description', 'authors', 'trigger', 'limits']);

  const components = root.optionalTable('component');
  for (const id of components?.keys() ?? []) {
    const table = components?.optionalTable(id) as TriggerTable; // keys() lists only fields present
    if (!COMPONENT_ID.test(id))
      throw table.error(undefined, `'${id}' is not a valid component id: ${COMPONENT_ID_RULE}`);
    const context = {
      file,
      dir,
      declared: variables,
      checkSources: opts.checkSources,
      variablesField: 'variables',
    } as const;
    app.components[id] = parseComponent(table, id, context);
  }

  app.triggers = parseTriggerLists(root.optionalTable('trigger'));
  for (const trigger of app.triggers) checkTrigger(trigger, file, app);
  root.done(['spin_manifest_version', 'application', 'variables', 'trigger', 'component']);
  return app;
}
