/**
 * From the manifest's trigger tables to adapter configs: variables expanded,
 * `[application.trigger.<type>]` defaults merged in, each table parsed by its type's
 * adapter. `startApp` starts what this yields; `spindle check` only reads it.
 */
import type { AdapterRegistry } from './adapters.ts';
import { builtinTriggerTypes } from './adapters.ts';
import type { AppConfig } from './app/model.ts';
import { collectProblems, type ManifestProblems } from './app/problems.ts';
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

/** The trigger tables of one type, with its adapter and the config of each table that parsed. */
export interface ParsedTriggerTables {
  adapter: TriggerAdapter<unknown>;
  tables: { entry: TriggerTableEntry; config: unknown }[];
}

/**
 * Every trigger table parsed by its type's adapter. The problems of all of them (an
 * unknown type, a bad field) are reported to `problems`; the tables that had none are
 * returned.
 */
export async function parseTriggerTables(
  app: AppConfig,
  adapters: AdapterRegistry,
  variables: Variables,
  problems: ManifestProblems,
): Promise<ParsedTriggerTables[]> {
  const parsed: ParsedTriggerTables[] = [];
  for (const [type, entries] of triggerTablesByType(app, variables)) {
    const adapter = await adapters.trigger(type);
    if (adapter === undefined) {
      problems.report(unknownTriggerType(app, type, entries[0]?.table ?? `trigger.${type}`));
      continue;
    }
    const tables: ParsedTriggerTables['tables'] = [];
    for (const entry of entries) {
      problems.attempt(() => tables.push({ entry, config: parseTriggerTable(app, adapter, entry) }));
    }
    parsed.push({ adapter, tables });
  }
  return parsed;
}

function unknownTriggerType(app: AppConfig, type: string, table: string): ManifestError {
  return new ManifestError(
    app.file,
    table,
    undefined,
    `unknown trigger type '${type}'${didYouMean(type, builtinTriggerTypes)} (built in: ${builtinTriggerTypes.join(', ')}; ` +
      `others are named with [application.trigger.${type}] module = "...")`,
  );
}

/**
 * One table parsed by its adapter, every problem in it thrown at once; a field nobody
 * read is one. When the adapter had to stop (a required field missing), the fields it did
 * not come to are not called unknown.
 */
export function parseTriggerTable(app: AppConfig, adapter: TriggerAdapter<unknown>, entry: TriggerTableEntry): unknown {
  return collectProblems((problems) => {
    const reader = new TriggerTable(app.file, entry.table, entry.raw, problems);
    const config = adapter.parseConfig(reader, app);
    reader.done();
    return config;
  });
}
