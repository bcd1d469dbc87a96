/**
 * A component's `allowed_outbound_hosts` (Spin v2, spindle.toml) and `allowed_http_hosts`
 * (Spin v1) read from its manifest table, checked there when they are literals and at
 * start once their `{{ variable }}` templates are expanded.
 */
import { ManifestError } from '../errors.ts';
import {
  ALLOW_ALL_HTTP,
  ALLOW_ALL_V1,
  type AllowedHost,
  AllowedHostSyntaxError,
  fromAllowedHttpHost,
  parseAllowedHost,
} from './allowed-hosts.ts';
import type { VariableDecl } from './model.ts';
import type { TriggerTable } from './table.ts';
import { checkTemplate } from './variable-decls.ts';

/** `allowed_outbound_hosts` then the v1 `allowed_http_hosts` in the v2 form (Spin merges them alike). */
export function parseAllowedOutboundHosts(table: TriggerTable, declared: Record<string, VariableDecl>): string[] {
  const hosts = table.optionalStringList('allowed_outbound_hosts') ?? [];
  hosts.forEach((host, i) => {
    checkAllowedHost(table, `allowed_outbound_hosts[${i}]`, host, declared);
  });
  const http = table.optionalStringList('allowed_http_hosts') ?? [];
  if (http.includes(ALLOW_ALL_V1)) return [...hosts, ...ALLOW_ALL_HTTP];
  http.forEach((host, i) => {
    hosts.push(...(checkPattern(() => fromAllowedHttpHost(host), table, `allowed_http_hosts[${i}]`) ?? []));
  });
  return hosts;
}

/** One `allowed_outbound_hosts` entry: its templates name declared variables; a literal parses. */
export function checkAllowedHost(
  table: TriggerTable,
  field: string,
  host: string,
  declared: Record<string, VariableDecl>,
): void {
  checkTemplate(table, field, host, declared);
  if (!host.includes('{{')) checkPattern(() => parseAllowedHost(host), table, field);
}

/** What `parse` makes of one entry, or undefined with its syntax error reported on `field`. */
function checkPattern<T>(parse: () => T, table: TriggerTable, field: string): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AllowedHostSyntaxError) return table.report(field, error.message);
    throw error;
  }
}

/**
 * The allow-list in force: each pattern with its templates expanded from the
 * application variables, then parsed. A pattern a variable made invalid stops the start
 * with the manifest, the component and the field named.
 */
export function resolveAllowedHosts(
  file: string,
  componentId: string,
  patterns: readonly string[],
  expand: (template: string) => string,
): AllowedHost[] {
  return patterns.map((pattern, i) => {
    const expanded = expand(pattern);
    try {
      return parseAllowedHost(expanded);
    } catch (error) {
      if (!(error instanceof AllowedHostSyntaxError)) throw error;
      const from = expanded === pattern ? '' : ` (expanded from ${JSON.stringify(pattern)})`;
      throw new ManifestError(
        file,
        `component.${componentId}`,
        `allowed_outbound_hosts[${i}]`,
        `${error.message}${from}`,
        { cause: error },
      );
    }
  });
}
