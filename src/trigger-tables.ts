/**
 * From the manifest's trigger tables to adapter configs: variables expanded,
 * `[application.trigger.<type>]` defaults merged in, each table parsed by its type's
 * adapter. `startApp` starts what this yields; `spindle check` only reads it.
 */
import type { AdapterRegistry } from './adapters.ts';
import { builtinTriggerTypes } from './adapters.ts';
import type { AppConfig } from './app/model.ts';
import { TriggerTable } from './app/table.ts';
import { expandTriggerDefaults, expandTriggerTables, type Variables } from './app/variables.ts';
import { ManifestError } from './errors.ts';
import { didYouMean } from './suggest.ts';
import type { TriggerAdapter } from './trigger.ts';

/** One `[[trigger.<type>]]` table, expanded and merged with its type's defaults. */
export interface TriggerTableEntry {
  table: string;
  raw: Record<string, unknown>;
}

/** The app's trigger tables by type, in manifest order. */
export function triggerTablesByType(app: AppConfig, variables: Variables): Map<string, TriggerTableEntry[]> {
  const defaults = expandTriggerDefaults(app, variables);
  const groups = new Map<string, TriggerTableEntry[]>();
  for (const { type, table, raw } of expandTriggerTables(app, variables)) {
    groups.set(type, [...(groups.get(type) ?? []), { table, raw: { ...defaults[type], ...raw } }]);
  }
  return groups;
}

/** The adapter of a trigger type, or an error naming the table and the types there are. */
export async function triggerAdapter(
  adapters: AdapterRegistry,
  app: AppConfig,
  type: string,
  table: string,
): Promise<TriggerAdapter<unknown>> {
  const adapter = await adapters.trigger(type);
  if (adapter === undefined) {
    throw new ManifestError(
      app.file,
      table,
      undefined,
      `unknown trigger type '${type}'${didYouMean(type, builtinTriggerTypes)} (built in: ${builtinTriggerTypes.join(', ')}; ` +
        `others are named with [application.trigger.${type}] module = "...")`,
    );
  }
  return adapter;
}

/** One table parsed by its adapter; a field nobody read is an error. */
export function parseTriggerTable(app: AppConfig, adapter: TriggerAdapter<unknown>, entry: TriggerTableEntry): unknown {
  const reader = new TriggerTable(app.file, entry.table, entry.raw);
  const config = adapter.parseConfig(reader, app);
  reader.done();
  return config;
}
