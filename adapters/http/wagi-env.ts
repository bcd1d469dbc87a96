/**
 * What a Wagi module receives besides its stdin (the body): the CGI meta-variables of
 * RFC 3875 as Wagi sets them, Spin's route variables (`X_FULL_URL`, `PATH_INFO`,
 * `X_MATCHED_ROUTE`, ...), the request headers as `HTTP_*`, and argv built from the
 * executor's `argv` template. Pure, unit-tested.
 */
import { type RequestInfo, wagiRouteVariables } from './request-info.ts';
import type { RouteMatch } from './routes.ts';

/** Wagi's default `argv`: the request path, then the query's `name=value` pairs. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Wagi's placeholder syntax, not a template
export const DEFAULT_ARGV = '${SCRIPT_NAME} ${ARGS}';
const SCRIPT_NAME = '$' + '{SCRIPT_NAME}';
const ARGS = '$' + '{ARGS}';
export const DEFAULT_ENTRYPOINT = '_start';

export interface WagiRequest {
  method: string;
  /** Lower-case names, as received. */
  headers: readonly [string, string][];
  bodyLength: number;
  info: RequestInfo;
  match: RouteMatch<unknown>;
}

/** The module's environment for one request (the component's own `environment` goes under it). */
export function cgiEnvironment(request: WagiRequest): Record<string, string> {
  const { info, match } = request;
  const [, query = ''] = splitQuery(info.pathAndQuery);
  const colon = info.host.lastIndexOf(':');
  const hasPort = colon > info.host.lastIndexOf(']');
  const rawPathInfo = match.pathInfo;
  const env: Record<string, string> = {};
  // RFC 3875 section 4.1.18: request headers become HTTP_*, except credentials and
  // connection management.
  for (const [name, value] of request.headers) {
    const variable = `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
    if (variable !== 'HTTP_AUTHORIZATION' && variable !== 'HTTP_CONNECTION') env[variable] = value;
  }
  Object.assign(env, {
    AUTH_TYPE: '',
    CONTENT_LENGTH: String(request.bodyLength),
    CONTENT_TYPE: header(request.headers, 'content-type') ?? '',
    GATEWAY_INTERFACE: 'CGI/1.1',
    QUERY_STRING: query,
    REMOTE_ADDR: unmapped(info.clientAddress),
    REMOTE_HOST: unmapped(info.clientAddress),
    REMOTE_USER: '',
    REQUEST_METHOD: request.method,
    // The route that matched, without the wildcard (RFC 3875 section 4.1.13).
    SCRIPT_NAME: match.pattern.prefix,
    X_RAW_PATH_INFO: rawPathInfo,
    PATH_TRANSLATED: decode(rawPathInfo),
    SERVER_NAME: hasPort ? info.host.slice(0, colon) : info.host,
    SERVER_PORT: hasPort ? info.host.slice(colon + 1) : info.scheme === 'https' ? '443' : '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_SOFTWARE: 'WAGI/1',
    // Spin's values win over Wagi's own (X_FULL_URL, PATH_INFO, X_MATCHED_ROUTE, ...).
    ...wagiRouteVariables(match, info),
  });
  return env;
}

/**
 * argv from the executor's template: `${SCRIPT_NAME}` is the request path, `${ARGS}` the
 * query with `&` turned into spaces; the result is split on spaces (Spin's manifest
 * reference: `param1=val1&param2=val2` becomes two arguments).
 */
export function wagiArgv(template: string, pathAndQuery: string): string[] {
  const [path = '', query = ''] = splitQuery(pathAndQuery);
  return template.replaceAll(SCRIPT_NAME, path).replaceAll(ARGS, query.replaceAll('&', ' ')).split(' ');
}

function splitQuery(pathAndQuery: string): [string, string] {
  const q = pathAndQuery.indexOf('?');
  return q === -1 ? [pathAndQuery, ''] : [pathAndQuery.slice(0, q), pathAndQuery.slice(q + 1)];
}

function header(headers: readonly [string, string][], name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1];
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
