/**
 * Application variables at start: each declared variable gets its value from
 * `--variable name=value`, else `SPIN_VARIABLE_<NAME>`, else its default (Spin's order).
 * Components read only their own `[component.<id>.variables]`, expanded.
 */

import { SpindleError } from '../errors.ts';
import type { AppConfig, TriggerConfig } from './model.ts';
import { isTable } from './table.ts';
import { expandTemplate, TemplateSyntaxError } from './template.ts';

export interface VariableSources {
  /** `spindle up --variable name=value`: wins over everything. */
  overrides?: Record<string, string>;
  /** Read for `SPIN_VARIABLE_<NAME>` (the name uppercased). */
  env?: NodeJS.ProcessEnv;
}

export interface Variables {
  /** The value of an application variable (undefined if it is not declared). */
  get(name: string): string | undefined;
  /** What component `id` may read: its own component variables, expanded. */
  component(id: string): (name: string) => string | undefined;
  /** Expand `{{ name }}` templates against the application variables. */
  expand(template: string): string;
  /** Values of variables declared `secret = true`, for redaction in logs. */
  readonly secrets: readonly string[];
}

/** A variable that cannot be resolved; nothing a retry can fix. */
export class VariableError extends SpindleError {
  override name = 'VariableError';
}

/** The environment variable Spin reads for variable `name`. */
export function envName(name: string): string {
  return `SPIN_VARIABLE_${name.toUpperCase()}`;
}

/** Resolve every application variable now, so that a missing one stops the start. */
export function createVariables(app: AppConfig, sources: VariableSources = {}): Variables {
  const overrides = sources.overrides ?? {};
  const env = sources.env ?? {};
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(app.variables, name)) {
      const declared = Object.keys(app.variables);
      const known = declared.length === 0 ? 'it declares none' : `declared: ${declared.join(', ')}`;
      throw new VariableError(
        `--variable ${name}: ${app.file} declares no variable '${name}' in [variables] (${known})`,
      );
    }
  }
  const values = new Map<string, string>();
  const missing: string[] = [];
  for (const [name, decl] of Object.entries(app.variables)) {
    const value = overrides[name] ?? env[envName(name)] ?? decl.default;
    if (value === undefined) missing.push(name);
    else values.set(name, value);
  }
  if (missing.length > 0) {
    const how = missing.map((n) => `--variable ${n}=... or ${envName(n)}`).join('; ');
    const which = missing.map((n) => `'${n}'`).join(', ');
    const verb = missing.length === 1 ? 'is required and has no value' : 'are required and have no value';
    throw new VariableError(`variable${missing.length === 1 ? '' : 's'} ${which} ${verb}: set with ${how}`);
  }

  const expand = (template: string): string => {
    try {
      return expandTemplate(template, (name) => {
        const value = values.get(name);
        if (value === undefined) {
          throw new VariableError(
            `template ${JSON.stringify(template)} refers to variable '${name}', which is not declared in [variables]`,
          );
        }
        return value;
      });
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      throw new VariableError(`invalid template: ${error.message}`, { cause: error });
    }
  };

  const perComponent = new Map<string, Map<string, string>>();
  const component = (id: string): ((name: string) => string | undefined) => {
    const config = app.components[id];
    if (config === undefined) throw new VariableError(`no component '${id}' in app ${app.name}`);
    let own = perComponent.get(id);
    if (own === undefined) {
      own = new Map(Object.entries(config.variables).map(([name, template]) => [name, expand(template)]));
      perComponent.set(id, own);
    }
    const resolved = own;
    return (name) => resolved.get(name);
  };

  const secrets = Object.entries(app.variables)
    .filter(([name, decl]) => decl.secret === true && (values.get(name) ?? '') !== '')
    .map(([name]) => values.get(name) as string);

  return { get: (name) => values.get(name), component, expand, secrets };
}

/** A copy of the app's `[[trigger.<type>]]` tables with templates expanded in every string. */
export function expandTriggerTables(app: AppConfig, variables: Variables): TriggerConfig[] {
  return app.triggers.map((t) => ({ ...t, raw: expandDeep(t.raw, variables) }));
}

/** A copy of `[application.trigger.<type>]` defaults with templates expanded in every string. */
export function expandTriggerDefaults(app: AppConfig, variables: Variables): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(app.triggerDefaults).map(([type, d]) => [type, expandDeep(d, variables)]));
}

function expandDeep(raw: Record<string, unknown>, variables: Variables): Record<string, unknown> {
  const visit = (value: unknown): unknown => {
    if (typeof value === 'string') return variables.expand(value);
    if (Array.isArray(value)) return value.map(visit);
    if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
    return value;
  };
  return visit(raw) as Record<string, unknown>;
}
