/**
 * `[[trigger.http]]` tables (Spin v2, spindle.toml) and Spin v1 `[component.trigger]`
 * tables of an app whose `trigger = { type = "http", base = "/..." }`:
 *
 *   route = "/users/:id/..."                 # exact segments, :name segments, a trailing /... wildcard
 *   route = { private = true }               # no public route: reachable only by service chaining
 *   component = "user-manager"
 *   executor = { type = "wagi", entrypoint = "_start", argv = "${SCRIPT_NAME} ${ARGS}" }
 *
 * `base` (Spin v1, app-wide) arrives merged in from `[application.trigger.http]`.
 */
import { isTable, kind, type TriggerTable } from '../../src/adapter.ts';
import { parseRoute, RouteSyntaxError } from './routes.ts';
import { DEFAULT_ARGV, DEFAULT_ENTRYPOINT } from './wagi-env.ts';

export type ExecutorConfig = { type: 'spin' } | { type: 'wagi'; entrypoint: string; argv: string };

export interface HttpTriggerConfig {
  /** The trigger table, for errors: `trigger.http[0]`, `component[2].trigger`. */
  table: string;
  component: string;
  /**
   * The public route; undefined for `route = { private = true }` (Spin's private
   * endpoint): the component answers only `http://<component>.spin.internal/` requests
   * from the app's other components, never the listener.
   */
  route: string | undefined;
  base: string;
  executor: ExecutorConfig;
}

export function parseHttpConfig(table: TriggerTable): HttpTriggerConfig {
  const component = table.string('component');
  const base = table.optionalString('base') ?? '/';
  if (!base.startsWith('/')) table.report('base', `must start with '/', got ${JSON.stringify(base)}`);
  const route = parseRouteField(table, base);
  return { table: table.table, component, route, base, executor: parseExecutor(table) };
}

function parseRouteField(table: TriggerTable, base: string): string | undefined {
  const raw = table.take('route');
  if (raw === undefined) {
    throw table.error(
      'route',
      'is required (a path such as "/hello", "/users/:id" or "/api/...", or { private = true })',
    );
  }
  if (isTable(raw)) {
    if (Object.keys(raw).length === 1 && raw.private === true) return undefined;
    throw table.error('route', `must be a path or { private = true }, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw !== 'string') throw table.error('route', `expected a path or { private = true }, got ${kind(raw)}`);
  if (!raw.startsWith('/')) throw table.error('route', `must start with '/', got ${JSON.stringify(raw)}`);
  try {
    parseRoute(raw, base);
  } catch (error) {
    if (error instanceof RouteSyntaxError) throw table.error('route', error.message);
    throw error;
  }
  return raw;
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
