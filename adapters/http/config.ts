/**
 * `[[trigger.http]]` tables (Spin v2, spindle.toml) and Spin v1 `[component.trigger]`
 * tables of an app whose `trigger = { type = "http", base = "/..." }`:
 *
 *   route = "/users/..."                     # exact, or a wildcard ending in /...
 *   component = "user-manager"
 *   executor = { type = "wagi", entrypoint = "_start", argv = "${SCRIPT_NAME} ${ARGS}" }
 *
 * `base` (Spin v1, app-wide) arrives merged in from `[application.trigger.http]`.
 */
import type { TriggerTable } from '../../src/adapter.ts';
import { DEFAULT_ARGV, DEFAULT_ENTRYPOINT } from './wagi-env.ts';

export type ExecutorConfig = { type: 'spin' } | { type: 'wagi'; entrypoint: string; argv: string };

export interface HttpTriggerConfig {
  /** The trigger table, for errors: `trigger.http[0]`, `component[2].trigger`. */
  table: string;
  component: string;
  route: string;
  base: string;
  executor: ExecutorConfig;
}

export function parseHttpConfig(table: TriggerTable): HttpTriggerConfig {
  const component = table.string('component');
  const route = table.optionalString('route');
  if (route === undefined) throw table.error('route', 'is required (a path such as "/hello" or "/api/...")');
  if (!route.startsWith('/')) throw table.error('route', `must start with '/', got ${JSON.stringify(route)}`);
  const base = table.optionalString('base') ?? '/';
  if (!base.startsWith('/')) throw table.error('base', `must start with '/', got ${JSON.stringify(base)}`);
  return { table: table.table, component, route, base, executor: parseExecutor(table) };
}

function parseExecutor(table: TriggerTable): ExecutorConfig {
  const executor = table.optionalTable('executor');
  if (executor === undefined) return { type: 'spin' };
  const type = executor.string('type');
  if (type === 'spin') {
    executor.done(['type']);
    return { type };
  }
  if (type !== 'wagi') throw executor.error('type', `expected "spin" or "wagi", got ${JSON.stringify(type)}`);
  const entrypoint = executor.optionalString('entrypoint') ?? DEFAULT_ENTRYPOINT;
  const argv = executor.optionalString('argv') ?? DEFAULT_ARGV;
  executor.done(['type', 'entrypoint', 'argv']);
  return { type, entrypoint, argv };
}
