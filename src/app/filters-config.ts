/**
 * A trigger's `filters`: Knative's new trigger filters (the CloudEvents Subscriptions API
 * dialects) as a TOML list, e.g.
 *   filters = [ { prefix = { type = "com.example." } }, { not = { cesql = "EXISTS subject" } } ]
 * Each entry holds exactly one dialect; CESQL expressions are parsed here, at load, so that
 * a bad one stops start-up naming the table, the field path and the column.
 */

import { CesqlFilter, CesqlParseError } from '../delivery/cesql/index.ts';
import { ManifestError } from '../errors.ts';
import { isAttributeName } from '../event.ts';
import type { SubscriptionsFilter } from '../trigger.ts';
import { isTable, kind, type TriggerTable } from './table.ts';

const DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'cesql'] as const;
type Dialect = (typeof DIALECTS)[number];

export function parseFilters(table: TriggerTable): SubscriptionsFilter[] | undefined {
  const raw = table.take('filters');
  if (raw === undefined) return undefined;
  return list(table, 'filters', raw);
}

function list(table: TriggerTable, path: string, raw: unknown): SubscriptionsFilter[] {
  if (!Array.isArray(raw)) {
    throw table.error(path, `expected a list of filters, such as [ { exact = { type = "..." } } ], got ${kind(raw)}`);
  }
  return raw.map((entry, i) => filter(table, `${path}[${i}]`, entry));
}

function filter(table: TriggerTable, path: string, raw: unknown): SubscriptionsFilter {
  const keys = isTable(raw) ? Object.keys(raw) : [];
  const dialect = keys[0] as Dialect;
  if (!isTable(raw) || keys.length !== 1 || !DIALECTS.includes(dialect)) {
    const got = isTable(raw) ? (keys.length === 0 ? 'an empty table' : keys.join(', ')) : kind(raw);
    throw table.error(path, `expected exactly one of ${DIALECTS.join(', ')}, got ${got}`);
  }
  const value = raw[dialect];
  const at = `${path}.${dialect}`;
  switch (dialect) {
    case 'exact':
      return { exact: attributeRules(table, at, value) };
    case 'prefix':
      return { prefix: attributeRules(table, at, value) };
    case 'suffix':
      return { suffix: attributeRules(table, at, value) };
    case 'all':
    case 'any': {
      const nested = list(table, at, value);
      if (nested.length === 0) throw table.error(at, 'needs at least one filter');
      return dialect === 'all' ? { all: nested } : { any: nested };
    }
    case 'not':
      return { not: filter(table, at, value) };
    case 'cesql':
      return { cesql: cesql(table, at, value) };
  }
}

/**
 * Subscriptions API: attribute name -> value, every one non-empty. Several attributes in
 * one entry must all match (Knative admits only one per entry; more are a superset).
 */
function attributeRules(table: TriggerTable, path: string, raw: unknown): Record<string, string> {
  if (!isTable(raw) || Object.keys(raw).length === 0) {
    throw table.error(
      path,
      `expected a table of attribute = "value", such as { type = "com.example.created" }, got ${isTable(raw) ? 'an empty table' : kind(raw)}`,
    );
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!isAttributeName(name)) {
      throw table.error(`${path}.${name}`, 'is not a CloudEvent attribute name (lowercase letters and digits)');
    }
    if (typeof value !== 'string' || value === '') {
      throw table.error(`${path}.${name}`, `expected a non-empty string, got ${kind(value)}`);
    }
  }
  return raw as Record<string, string>;
}

function cesql(table: TriggerTable, path: string, raw: unknown): CesqlFilter {
  if (typeof raw !== 'string')
    throw table.error(path, `expected a CloudEvents SQL expression (a string), got ${kind(raw)}`);
  try {
    return new CesqlFilter(raw);
  } catch (cause) {
    if (!(cause instanceof CesqlParseError)) throw cause;
    throw new ManifestError(table.file, table.table, path, `invalid CloudEvents SQL ${cause.message}`, { cause });
  }
}
