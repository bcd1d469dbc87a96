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
import { COMPONENT_ID, COMPONENT_ID_RULE, parseExecution } from './component.ts';
import { confineMount } from './file-mounts.ts';
import type { AppConfig, ComponentConfig, FileMount, InstanceMode, VariableDecl } from './model.ts';
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

export function defineApp(definition: AppDefinition): AppConfig {
  const root = new TriggerTable(EMBEDDED, '', definition as unknown as Record<string, unknown>);
  const dir = resolve(root.optionalString('dir') ?? '.');
  const variables = parseVariableDecls(root.optionalTable('variables'));
  const app = newApp(root, { file: EMBEDDED, dir }, variables);

  const defaults = root.optionalTable('triggerDefaults');
  for (const type of defaults?.keys() ?? []) {
    const table = defaults?.optionalTable(type) as TriggerTable; // keys() lists only fields present
    parseTriggerDefaults(type, table, { file: EMBEDDED, dir, declared: variables }, app);
  }

  const components = root.optionalTable('components');
  if (components === undefined) throw root.error('components', 'is required (an object of id -> { source })');
  for (const id of components.keys()) {
    const table = components.optionalTable(id) as TriggerTable;
    if (!COMPONENT_ID.test(id))
      throw table.error(undefined, `'${id}' is not a valid component id: ${COMPONENT_ID_RULE}`);
    app.components[id] = defineComponent(table, id, app);
  }

  const triggers = root.take('triggers');
  if (!Array.isArray(triggers))
    throw root.error('triggers', `expected a list of { type, component, ... }, got ${kind(triggers)}`);
  triggers.forEach((raw: unknown, i) => {
    if (!isTable(raw)) throw root.error(`triggers[${i}]`, `expected an object, got ${kind(raw)}`);
    const { type, ...fields } = raw;
    if (typeof type !== 'string' || type === '') {
      throw new TriggerTable(EMBEDDED, `triggers[${i}]`, raw).error(
        'type',
        `expected a trigger type, got ${kind(type)}`,
      );
    }
    const trigger = { type, table: `triggers[${i}]`, raw: fields };
    checkTrigger(trigger, EMBEDDED, app);
    app.triggers.push(trigger);
  });
  root.done(['name', 'description', 'version', 'dir', 'components', 'triggers', 'variables', 'triggerDefaults']);
  return app;
}

function defineComponent(table: TriggerTable, id: string, app: AppConfig): ComponentConfig {
  const source = table.take('source');
  let resolved: string | Uint8Array;
  if (source instanceof Uint8Array) resolved = source;
  else if (typeof source === 'string') {
    resolved = resolve(app.dir, source);
    if (!existsSync(resolved) || !statSync(resolved).isFile()) throw table.error('source', `no such file: ${resolved}`);
  } else {
    throw table.error(
      'source',
      `expected a .wasm path or a Uint8Array, got ${source === undefined ? 'nothing' : kind(source)}`,
    );
  }
  const description = table.optionalString('description');
  const variables = parseComponentVariables(table.optionalTable('variables'), app.variables);
  const environment = table.optionalStringMap('environment') ?? {};
  const allowedOutboundHosts = table.optionalStringList('allowedOutboundHosts') ?? [];
  allowedOutboundHosts.forEach((host, i) => {
    checkAllowedHost(table, `allowedOutboundHosts[${i}]`, host, app.variables);
  });
  const files = defineFiles(table, app.dir);
  const instances = table.optionalString('instances');
  if (instances !== undefined && instances !== 'fresh' && instances !== 'reuse') {
    throw table.error('instances', `expected "fresh" or "reuse", got "${instances}"`);
  }
  const execution = parseExecution(table, {
    timeout: 'timeoutMs',
    memoryLimit: 'memoryLimitMb',
    maxOutput: 'maxOutputKb',
    outboundTimeout: 'outboundTimeoutMs',
  });
  table.done(COMPONENT_FIELDS);
  const component: ComponentConfig = { id, source: resolved, variables, environment, files, allowedOutboundHosts };
  if (description !== undefined) component.description = description;
  if (instances !== undefined) component.instances = instances;
  Object.assign(component, execution);
  return component;
}

function defineFiles(table: TriggerTable, dir: string): FileMount[] {
  const raw = table.take('files');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw table.error('files', `expected a list, got ${kind(raw)}`);
  return raw.map((entry: unknown, i): FileMount => {
    const mount = isTable(entry) ? new TriggerTable(EMBEDDED, `${table.table}.files[${i}]`, entry) : undefined;
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
  });
}
