/**
 * `checkApp`: everything `startApp` would refuse, found without starting anything — the
 * manifest, its variables, each component loaded and matched against the worlds its
 * triggers need, each trigger table parsed by its adapter, each sink URI checked by its
 * adapter without connecting. Problems are collected across components and triggers, so
 * that one run shows them all.
 */
import { existsSync } from 'node:fs';
import { AdapterRegistry } from './adapters.ts';
import { loadApp } from './app/load.ts';
import type { AppConfig } from './app/model.ts';
import { ManifestProblems } from './app/problems.ts';
import { createVariables, envName, type Variables } from './app/variables.ts';
import { SinkPool } from './delivery/sinks.ts';
import { checkEmittedEventsHaveSink } from './engine.ts';
import { ManifestError, messagesOf } from './errors.ts';
import { silentLogger } from './log.ts';
import { Redactor } from './redact.ts';
import { chooseCacheDir } from './runtime/cache-dir.ts';
import type { World } from './runtime/component.ts';
import { loadComponent } from './runtime/load.ts';
import type { RouteConfig, TriggerAdapter } from './trigger.ts';
import { parseTriggerTables } from './trigger-tables.ts';

export interface CheckOptions {
  /** `--variable name=value` overrides. */
  variables?: Record<string, string>;
  /** For SPIN_VARIABLE_* and K_SINK. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface CheckedTrigger {
  table: string;
  component: string;
  /** `route` of an HTTP trigger, when it has one. */
  route?: string;
  sink?: string;
  deadLetter?: string;
}

export interface CheckReport {
  /** Undefined when the manifest itself could not be read. */
  app?: AppConfig;
  /** Each component's worlds, for those that loaded. */
  components: Map<string, ReadonlySet<World>>;
  triggers: CheckedTrigger[];
  /** Every problem found, each naming the file, table and field or component. */
  problems: string[];
}

const WORLD_NAMES: Record<World, string> = {
  event: 'spindle:event/handler',
  'spin-redis': 'fermyon:spin/inbound-redis',
  'spin-http': 'fermyon:spin/inbound-http',
  'wasi-http': 'wasi:http/incoming-handler',
  timer: 'handle-timer-request',
  wagi: 'a Wagi command (_start)',
};

/** What a component implements, in WIT names (for messages). */
export function worldNames(worlds: Iterable<World>): string {
  return [...worlds].map((w) => WORLD_NAMES[w]).join(', ') || 'no world spindle knows';
}

export async function checkApp(path: string, options: CheckOptions = {}): Promise<CheckReport> {
  const env = options.env ?? process.env;
  const report: CheckReport = { components: new Map(), triggers: [], problems: [] };
  const problem = (error: unknown) => report.problems.push(...messagesOf(error));
  let app: AppConfig;
  try {
    app = await loadApp(path, { checkSources: false });
  } catch (error) {
    problem(error);
    return report;
  }
  report.app = app;
  const variables = resolveVariables(app, options.variables ?? {}, env, problem);
  if (variables === undefined) return report;
  try {
    await checkParts(app, variables, env, report);
  } finally {
    // What is shown never holds a secret variable's value nor a URI's password.
    const redactor = new Redactor(variables.secrets);
    report.problems = report.problems.map((p) => redactor.text(p));
    for (const t of report.triggers) {
      if (t.sink !== undefined) t.sink = redactor.text(t.sink);
      if (t.deadLetter !== undefined) t.deadLetter = redactor.text(t.deadLetter);
    }
  }
  return report;
}

/** Components, then trigger tables with their sinks: every problem into `report`. */
async function checkParts(app: AppConfig, variables: Variables, env: NodeJS.ProcessEnv, report: CheckReport) {
  const problem = (error: unknown) => report.problems.push(...messagesOf(error));

  const cacheDir = await chooseCacheDir(app.dir, env);
  const logger = silentLogger();
  for (const config of Object.values(app.components)) {
    if (typeof config.source === 'string' && !existsSync(config.source)) {
      const hint = config.build === undefined ? '' : ' (run `spindle build` first)';
      problem(new ManifestError(app.file, `component.${config.id}`, 'source', `no such file: ${config.source}${hint}`));
      continue;
    }
    try {
      // threads = 0: no worker threads, only what it takes to read the exports.
      const component = await loadComponent(
        { ...config, threads: 0 },
        { cacheDir, logger, variables: variables.component(config.id) },
      );
      report.components.set(config.id, component.worlds);
      await component.close();
    } catch (error) {
      problem(error);
    }
  }

  const adapters = new AdapterRegistry(app.triggerModules);
  const sinks = new SinkPool(adapters, logger);
  const problems = new ManifestProblems();
  const triggers = await parseTriggerTables(app, adapters, variables, problems);
  report.problems.push(...problems.all.map((p) => p.message));
  for (const { adapter, tables } of triggers) {
    for (const { entry, config } of tables) {
      const found = await checkTriggerRoute(app, adapter, config as RouteConfig, entry.table, report, sinks, env);
      report.problems.push(...found);
    }
  }
}

/** Variables resolved; a missing required one is a problem, and checking goes on with it empty. */
function resolveVariables(
  app: AppConfig,
  overrides: Record<string, string>,
  env: NodeJS.ProcessEnv,
  problem: (error: unknown) => void,
): Variables | undefined {
  try {
    return createVariables(app, { overrides, env });
  } catch (error) {
    problem(error);
  }
  const unset = Object.entries(app.variables)
    .filter(([name, decl]) => overrides[name] === undefined && env[envName(name)] === undefined && !decl.default)
    .map(([name]) => [name, '']);
  try {
    return createVariables(app, { overrides: { ...Object.fromEntries(unset), ...overrides }, env });
  } catch {
    return undefined; // an undeclared --variable: reported above, and nothing else can be checked
  }
}

/** The component's world against the trigger's needs, its sinks, and where its emitted events go. */
async function checkTriggerRoute(
  app: AppConfig,
  adapter: TriggerAdapter<unknown>,
  config: RouteConfig,
  table: string,
  report: CheckReport,
  sinks: SinkPool,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const problems: string[] = [];
  const sink = config.sink ?? (env.K_SINK || undefined);
  const route = (config as { route?: unknown }).route;
  report.triggers.push({
    table,
    component: config.component,
    ...(typeof route === 'string' ? { route } : {}),
    ...(sink ? { sink } : {}),
    ...(config.deadLetter ? { deadLetter: config.deadLetter } : {}),
  });
  const worlds = report.components.get(config.component);
  const needs = adapter.worlds?.(config);
  const fits = worlds !== undefined && (needs === undefined || needs.some((w) => worlds.has(w)));
  if (worlds !== undefined && !fits && needs !== undefined) {
    problems.push(
      new ManifestError(
        app.file,
        table,
        'component',
        `component '${config.component}' implements ${worldNames(worlds)}; a ${adapter.type} trigger runs ` +
          `${needs.map((w) => WORLD_NAMES[w]).join(' or ')}`,
      ).message,
    );
  }
  for (const [field, uri] of [
    ['sink', sink],
    ['dead_letter', config.deadLetter],
  ] as const) {
    if (uri === undefined) continue;
    try {
      await sinks.check(uri);
    } catch (error) {
      problems.push(new ManifestError(app.file, table, field, (error as Error).message).message);
    }
  }
  if (fits) {
    try {
      checkEmittedEventsHaveSink(app.file, adapter, { id: config.component, worlds }, config, sink !== undefined);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}
