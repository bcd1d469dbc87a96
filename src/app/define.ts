/**
 * Apps built in code, for programs that embed spindle: the same model and the same checks
 * as a manifest, with '<embedded>' as the file in error messages.
 *
 * ```ts
 * const app = defineApp({
 *   name: 'demo',
 *   components: { transform: { source: 'transform.wasm', variables: { suffix: '{{ suffix }}' } } },
 *   triggers: [{ type: 'cloudevents', route: '/', component: 'transform' }],
 *   variables: { suffix: { default: '.transformed' } },
 * });
 * ```
 */

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { checkAllowedHost } from './allowed-outbound-hosts.ts';
import { newApp } from './app-identity.ts';
import { COMPONENT_ID, COMPONENT_ID_RULE, parseExecution, parseInstances } from './component.ts';
import { confineMount } from './file-mounts.ts';
import type { AppConfig, ComponentConfig, FileMount, InstanceMode, VariableDecl } from './model.ts';
import { collectProblems, type ManifestProblems } from './problems.ts';
import { isTable, kind, TriggerTable } from './table.ts';
import { checkTrigger, parseTriggerDefaults } from './triggers.ts';
import { parseComponentVariables, parseVariableDecls } from './variable-decls.ts';

export const EMBEDDED = '<embedded>';

export interface ComponentDefinition {
  /** A .wasm path (relative to `dir`) or the component's bytes. */
  source: string | Uint8Array;
  description?: string;
  /** Component variables: name -> template such as `'{{ suffix }}'`. */
  variables?: Record<string, string>;
  environment?: Record<string, string>;
  allowedOutboundHosts?: string[];
  /** Host paths (relative to `dir`) mounted at the same path, or explicit mounts. */
  files?: (string | FileMount)[];
  instances?: InstanceMode;
  /** Worker threads for the component (any world but Wagi); 0: the main thread. */
  threads?: number;
  /** Per-event deadline in ms. */
  timeoutMs?: number;
  /** Most linear memory an instance may have, in MB (default 256). */
  memoryLimitMb?: number;
  /** Most stdout + stderr kept per event, in KiB (default 64). */
  maxOutputKb?: number;
  /** Bound on each wait of an outbound HTTP request, in ms (default 30 000). */
  outboundTimeoutMs?: number;
}

/** One trigger table: `type` picks the adapter, the other fields are its `[[trigger.<type>]]` fields. */
export interface TriggerDefinition {
  type: string;
  component: string;
  [field: string]: unknown;
}

export interface AppDefinition {
  name: string;
  description?: string;
  version?: string;
  authors?: string[];
  /** What relative paths are resolved against. Default: the working directory. */
  dir?: string;
  components: Record<string, ComponentDefinition>;
  triggers: TriggerDefinition[];
  variables?: Record<string, VariableDecl>;
  /** As `[application.trigger.<type>]`; `module` names an external adapter. */
  triggerDefaults?: Record<string, Record<string, unknown>>;
}

const COMPONENT_FIELDS = [
  'source',
  'description',
  'variables',
  'environment',
  'allowedOutboundHosts',
  'files',
  'instances',
  'threads',
  'timeoutMs',
  'memoryLimitMb',
  'maxOutputKb',
  'outboundTimeoutMs',
];

/** The app `definition` describes; every problem in it is thrown at once, as loadApp does. */
export function defineApp(definition: AppDefinition): AppConfig {
  return collectProblems((problems) => readDefinition(definition, problems));
}

function readDefinition(definition: AppDefinition, problems: ManifestProblems): AppConfig {
  const root = new TriggerTable(EMBEDDED, '', definition as unknown as Record<string, unknown>, problems);
  const dir = resolve(root.optionalString('dir') ?? '.');
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(root, { file: EMBEDDED, dir }, variables);

  const defaults = root.optionalTable('triggerDefaults');
  for (const type of defaults?.keys() ?? []) {
    const table = defaults?.optionalTable(type);
    if (table !== undefined) parseTriggerDefaults(type, table, { dir, declared: variables }, app);
  }

  const components = root.optionalTable('components');
  if (components === undefined) root.report('components', 'is required (an object of id -> { source })');
  const componentIds = new Set(components?.keys());
  for (const id of componentIds) {
    const table = components?.optionalTable(id);
    if (table === undefined) continue;
    if (!COMPONENT_ID.test(id)) table.report(undefined, `'${id}' is not a valid component id: ${COMPONENT_ID_RULE}`);
    const component = defineComponent(table, id, app);
    if (component !== undefined) app.components[id] = component;
  }

  const triggers = root.take('triggers');
  if (!Array.isArray(triggers))
    root.report('triggers', `expected a list of { type, component, ... }, got ${kind(triggers)}`);
  (Array.isArray(triggers) ? triggers : []).forEach((raw: unknown, i) => {
    if (!isTable(raw)) {
      root.report(`triggers[${i}]`, `expected an object, got ${kind(raw)}`);
      return;
    }
    const { type, ...fields } = raw;
    const trigger = { type: typeof type === 'string' ? type : '', table: `triggers[${i}]`, raw: fields };
    if (trigger.type === '')
      root.sibling(trigger.table, raw).report('type', `expected a trigger type, got ${kind(type)}`);
    checkTrigger(trigger, root, { componentIds, variables });
    app.triggers.push(trigger);
  });
  root.done(['name', 'description', 'version', 'dir', 'components', 'triggers', 'variables', 'triggerDefaults']);
  return app;
}

/** The component `table` defines, or undefined when its source is unusable (reported). */
function defineComponent(table: TriggerTable, id: string, app: AppConfig): ComponentConfig | undefined {
  const resolved = defineSource(table, app.dir);
  const description = table.optionalString('description');
  const variables = parseComponentVariables(table.optionalTable('variables'), app.variables);
  const environment = table.optionalStringMap('environment') ?? {};
  const allowedOutboundHosts = table.optionalStringList('allowedOutboundHosts') ?? [];
  allowedOutboundHosts.forEach((host, i) => {
    checkAllowedHost(table, `allowedOutboundHosts[${i}]`, host, app.variables);
  });
  const files = defineFiles(table, app.dir);
  const instances = parseInstances(table);
  const execution = parseExecution(table, {
    timeout: 'timeoutMs',
    memoryLimit: 'memoryLimitMb',
    maxOutput: 'maxOutputKb',
    outboundTimeout: 'outboundTimeoutMs',
  });
  table.done(COMPONENT_FIELDS);
  if (resolved === undefined) return undefined;
  const component: ComponentConfig = { id, source: resolved, variables, environment, files, allowedOutboundHosts };
  if (description !== undefined) component.description = description;
  if (instances !== undefined) component.instances = instances;
  Object.assign(component, execution);
  return component;
}

function defineSource(table: TriggerTable, dir: string): string | Uint8Array | undefined {
  const source = table.take('source');
  if (source instanceof Uint8Array) return source;
  if (typeof source !== 'string') {
    const got = source === undefined ? 'nothing' : kind(source);
    return table.report('source', `expected a .wasm path or a Uint8Array, got ${got}`);
  }
  const path = resolve(dir, source);
  if (!existsSync(path) || !statSync(path).isFile()) return table.report('source', `no such file: ${path}`);
  return path;
}

/** Each entry on its own: one with a problem is reported and left out. */
function defineFiles(table: TriggerTable, dir: string): FileMount[] {
  const raw = table.take('files');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    table.report('files', `expected a list, got ${kind(raw)}`);
    return [];
  }
  return raw.flatMap((entry: unknown, i) => table.attempt(() => defineFile(table, i, entry, dir)) ?? []);
}

function defineFile(table: TriggerTable, i: number, entry: unknown, dir: string): FileMount {
  const mount = isTable(entry) ? table.sibling(`${table.table}.files[${i}]`, entry) : undefined;
  const source = mount === undefined ? entry : mount.string('source');
  if (typeof source !== 'string') {
    throw table.error(`files[${i}]`, `expected a path or a { source, destination } object, got ${kind(entry)}`);
  }
  const path = resolve(dir, source);
  const rel = relative(dir, path);
  if (mount === undefined && (rel.startsWith('..') || isAbsolute(source))) {
    throw table.error(`files[${i}]`, `"${source}" is outside the app's directory (use { source, destination })`);
  }
  const destination = mount?.string('destination') ?? `/${rel.split(sep).join('/')}`;
  mount?.done(['source', 'destination']);
  const confined = confineMount(path, mount === undefined ? dir : undefined);
  if ('reason' in confined) throw table.error(`files[${i}]`, confined.reason);
  if (!destination.startsWith('/'))
    throw table.error(`files[${i}]`, `destination must be an absolute guest path, got "${destination}"`);
  return { source: confined.real, destination };
}
