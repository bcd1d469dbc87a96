/**
 * One component table, in any manifest format: `[component.<id>]` (spindle.toml, Spin v2)
 * or `[[component]]` (Spin v1). Paths are resolved against the manifest's directory.
 */

import { globSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseAllowedOutboundHosts } from './allowed-outbound-hosts.ts';
import { excludeFiles } from './exclude-files.ts';
import { confineMount } from './file-mounts.ts';
import type { BuildConfig, ComponentConfig, FileMount, InstanceMode, VariableDecl } from './model.ts';
import { isTable, kind, type TriggerTable } from './table.ts';
import { rejectUnsupported, UNSUPPORTED_COMPONENT_FIELDS } from './unsupported.ts';
import { parseComponentVariables } from './variable-decls.ts';

export interface ComponentContext {
  file: string;
  dir: string;
  declared: Record<string, VariableDecl>;
  /** Whether `source` must exist now (not when loading the manifest in order to build it). */
  checkSources: boolean;
  /** Spin v1 calls component variables `config`. */
  variablesField: 'variables' | 'config';
  /** Fields the format adds and its parser already read (v1: `id`, `trigger`), for the unknown-field hint. */
  formatFields?: readonly string[];
}

const COMMON_FIELDS = [
  'source',
  'description',
  'files',
  'environment',
  'allowed_outbound_hosts',
  'allowed_http_hosts',
  'build',
  'exclude_files',
  'instances',
  'threads',
  'timeout_ms',
  'memory_limit_mb',
  'max_output_kb',
  'outbound_timeout_ms',
];

/** Spin v2 component ids: kebab-case. */
export const COMPONENT_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const COMPONENT_ID_RULE =
  'component ids are kebab-case: lowercase letters and digits in words joined by single hyphens, starting with a letter';

/**
 * The component `table` describes. Every field is read, each problem reported on the
 * table; undefined when the source is unusable (the problem says why).
 */
export function parseComponent(table: TriggerTable, id: string, ctx: ComponentContext): ComponentConfig | undefined {
  const source = parseSource(table, ctx);
  const description = table.optionalString('description');
  const files = excludeFiles(parseFiles(table, ctx.dir), table.optionalStringList('exclude_files') ?? [], ctx.dir);
  const environment = table.optionalStringMap('environment') ?? {};
  const allowedOutboundHosts = parseAllowedOutboundHosts(table, ctx.declared);
  const variables = parseComponentVariables(table.optionalTable(ctx.variablesField), ctx.declared);
  const build = parseBuild(table.optionalTable('build'), ctx.dir);
  const instances = parseInstances(table);
  const execution = parseExecution(table, MANIFEST_EXECUTION_FIELDS);
  table.take('tool'); // Spin's `[component.<id>.tool.<name>]`: metadata for other tools, by design not Spin's.
  rejectUnsupported(table, UNSUPPORTED_COMPONENT_FIELDS);
  table.done([...(ctx.formatFields ?? []), ...COMMON_FIELDS, ctx.variablesField]);
  if (source === undefined) return undefined;

  const component: ComponentConfig = { id, source, variables, environment, files, allowedOutboundHosts };
  if (instances !== undefined) component.instances = instances;
  Object.assign(component, execution);
  if (build !== undefined) component.build = build;
  if (description !== undefined) component.description = description;
  return component;
}

function parseSource(table: TriggerTable, ctx: ComponentContext): string | undefined {
  const raw = table.take('source');
  if (raw === undefined)
    return table.report('source', 'is required (the path of a .wasm file, relative to the manifest)');
  if (isTable(raw) && 'url' in raw) {
    return table.report(
      'source',
      'remote sources ({ url, digest }) are not supported: download the .wasm and give its path',
    );
  }
  if (isTable(raw) && 'registry' in raw) {
    return table.report('source', 'registry sources ({ registry, package, version }) are not supported: give a path');
  }
  if (typeof raw !== 'string') return table.report('source', `expected the path of a .wasm file, got ${kind(raw)}`);
  const path = resolve(ctx.dir, raw);
  if (ctx.checkSources && !isFile(path)) {
    const hint = table.raw.build === undefined ? '' : ' (run `spindle build` first)';
    return table.report('source', `no such file: ${path}${hint}`);
  }
  return path;
}

/** `files = ["static", "images/*.jpg", { source = "assets", destination = "/assets" }]`: each entry on its own. */
function parseFiles(table: TriggerTable, dir: string): FileMount[] {
  const raw = table.take('files');
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    table.report('files', `expected a list of paths and { source, destination } tables, got ${kind(raw)}`);
    return [];
  }
  return raw.flatMap((entry: unknown, i) => table.attempt(() => fileMounts(table, `files[${i}]`, entry, dir)) ?? []);
}

function fileMounts(table: TriggerTable, field: string, entry: unknown, dir: string): FileMount[] {
  if (typeof entry === 'string') return filesFromPattern(table, field, entry, dir);
  if (!isTable(entry)) {
    throw table.error(field, `expected a path or a { source, destination } table, got ${kind(entry)}`);
  }
  const mount = table.sibling(`${table.table}.${field}`, entry);
  const source = resolve(dir, mount.string('source'));
  const destination = mount.string('destination');
  mount.done(['source', 'destination']);
  // Explicit mounts may name a directory outside the app's (the author chose it), but
  // nothing under it may lead elsewhere.
  const confined = confineMount(source);
  if ('reason' in confined) throw mount.error('source', confined.reason);
  if (!destination.startsWith('/'))
    throw mount.error('destination', `must be an absolute guest path, got "${destination}"`);
  return [{ source: confined.real, destination }];
}

/** A path or glob relative to the manifest: the guest sees each match at the same relative path. */
function filesFromPattern(table: TriggerTable, field: string, pattern: string, dir: string): FileMount[] {
  if (isAbsolute(pattern))
    throw table.error(field, `must be relative to the manifest, got "${pattern}" (use { source, destination })`);
  const matches = /[*?[{]/.test(pattern) ? globSync(pattern, { cwd: dir }).sort() : [pattern];
  return matches.map((match) => {
    const source = resolve(dir, match);
    const rel = relative(dir, source);
    if (rel.startsWith('..')) {
      throw table.error(field, `"${pattern}" is outside the manifest's directory (use { source, destination })`);
    }
    const confined = confineMount(source, dir);
    if ('reason' in confined) throw table.error(field, confined.reason);
    return { source: confined.real, destination: `/${rel.split(sep).join('/')}` };
  });
}

function parseBuild(table: TriggerTable | undefined, dir: string): BuildConfig | undefined {
  if (table === undefined) return undefined;
  const commands = table.optionalStrings('command');
  if (commands === undefined || commands.length === 0)
    table.report('command', 'is required (a string, or a list of strings run in turn)');
  const workdir = resolve(dir, table.optionalString('workdir') ?? '.');
  const watch = table.optionalStringList('watch');
  table.done(['command', 'workdir', 'watch']);
  if (commands === undefined || commands.length === 0) return undefined;
  const build: BuildConfig = { commands, workdir };
  if (watch !== undefined) build.watch = watch;
  return build;
}

export function parseInstances(table: TriggerTable): InstanceMode | undefined {
  const value = table.optionalString('instances');
  if (value === undefined || value === 'fresh' || value === 'reuse') return value;
  return table.report('instances', `expected "fresh" or "reuse", got "${value}"`);
}

/**
 * Upper bounds: more threads than this is a typo, Node's timers cap at 2^31-1 ms, 4 GiB
 * is a 32-bit guest's whole address space, and more than 1 GiB of log per event is a typo.
 */
const MAX_THREADS = 64;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MAX_MEMORY_LIMIT_MB = 4096;
const MAX_OUTPUT_KB = 2 ** 20;

/** What the execution fields are called: snake_case in manifests, camelCase in defineApp. */
export interface ExecutionFields {
  timeout: string;
  memoryLimit: string;
  maxOutput: string;
  outboundTimeout: string;
}

export const MANIFEST_EXECUTION_FIELDS: ExecutionFields = {
  timeout: 'timeout_ms',
  memoryLimit: 'memory_limit_mb',
  maxOutput: 'max_output_kb',
  outboundTimeout: 'outbound_timeout_ms',
};

type Execution = Pick<ComponentConfig, 'threads' | 'timeoutMs' | 'memoryLimitMb' | 'maxOutputKb' | 'outboundTimeoutMs'>;

/**
 * `threads` (0 = the main thread), the per-event deadline, the memory limit, the
 * output cap and the outbound HTTP timeout; only the fields the table sets.
 */
export function parseExecution(table: TriggerTable, fields: ExecutionFields): Execution {
  let threads = table.optionalNumber('threads', { min: 0, integer: true });
  if (threads !== undefined && threads > MAX_THREADS) {
    threads = table.report(
      'threads',
      `must be at most ${MAX_THREADS} (0 runs the component on the main thread), got ${threads}`,
    );
  }
  const execution: Execution = {
    threads,
    timeoutMs: boundedNumber(table, fields.timeout, 1, MAX_TIMEOUT_MS, 'ms'),
    memoryLimitMb: boundedNumber(table, fields.memoryLimit, 1, MAX_MEMORY_LIMIT_MB, 'MB'),
    maxOutputKb: boundedNumber(table, fields.maxOutput, 0, MAX_OUTPUT_KB, 'KiB'),
    outboundTimeoutMs: boundedNumber(table, fields.outboundTimeout, 1, MAX_TIMEOUT_MS, 'ms'),
  };
  for (const key of Object.keys(execution) as (keyof Execution)[]) {
    if (execution[key] === undefined) delete execution[key];
  }
  return execution;
}

function boundedNumber(table: TriggerTable, field: string, min: number, max: number, unit: string) {
  const value = table.optionalNumber(field, { min, integer: true });
  if (value !== undefined && value > max) return table.report(field, `must be at most ${max} ${unit}, got ${value}`);
  return value;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
