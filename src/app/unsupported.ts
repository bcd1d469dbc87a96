import type { TriggerTable } from './table.ts';

/** Component fields of Spin manifests (v1 and v2) that spindle has no host support for. */
export const UNSUPPORTED_COMPONENT_FIELDS = [
  'key_value_stores',
  'sqlite_databases',
  'ai_models',
  'dependencies',
  'dependencies_inherit_configuration',
] as const;

/** `[application]` fields of Spin v2 manifests that spindle has no support for. */
export const UNSUPPORTED_APPLICATION_FIELDS = ['targets'] as const;

/**
 * Report, by name, a Spin feature spindle does not implement, so that an app that relies on
 * it fails at load instead of misbehaving at run time. A value that asks for nothing (an
 * empty list or table, `false`) is accepted: it changes nothing.
 */
export function rejectUnsupported(table: TriggerTable, fields: readonly string[]): void {
  for (const field of fields) {
    const value = table.take(field);
    if (value === undefined || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) continue;
    table.report(field, 'is a Spin feature spindle does not support: remove it, or run this app with Spin');
  }
}
