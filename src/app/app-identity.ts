import type { AppConfig, VariableDecl } from './model.ts';
import type { TriggerTable } from './table.ts';

/**
 * A new app with no components or triggers yet, named by `table`: `[application]` in a
 * v2 manifest, the top level in v1, the definition object when embedding.
 */
export function newApp(
  table: TriggerTable,
  where: { file: string; dir: string },
  variables: Record<string, VariableDecl>,
): AppConfig {
  const app: AppConfig = {
    // Without a name the app is not usable, but the rest of the manifest is still read.
    name: table.attempt(() => table.string('name')) ?? '',
    file: where.file,
    dir: where.dir,
    variables,
    components: {},
    triggers: [],
    triggerDefaults: {},
    triggerModules: {},
  };
  const version = table.optionalString('version');
  const description = table.optionalString('description');
  const authors = table.optionalStringList('authors');
  if (version !== undefined) app.version = version;
  if (description !== undefined) app.description = description;
  if (authors !== undefined) app.authors = authors;
  return app;
}
