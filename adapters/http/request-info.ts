/**
 * What Spin tells a component about its request, beyond the client's own headers: the
 * `spin-*` request headers (Spin's HTTP trigger guide, "Additional Request Information")
 * and the same values as Wagi environment variables. Pure, unit-tested.
 *
 * | header                     | Wagi variable           | for base `/shop`, route `/users/...`, `https://example.com:8080/shop/users/1/edit?theme=pink` |
 * | -------------------------- | ----------------------- | --------------------------------------------------- |
 * | `spin-full-url`            | `X_FULL_URL`            | `https://example.com:8080/shop/users/1/edit?theme=pink` |
 * | `spin-path-info`           | `PATH_INFO`             | `/1/edit`                                           |
 * | `spin-matched-route`       | `X_MATCHED_ROUTE`       | `/shop/users/...`                                   |
 * | `spin-raw-component-route` | `X_RAW_COMPONENT_ROUTE` | `/users/...`                                        |
 * | `spin-component-route`     | `X_COMPONENT_ROUTE`     | `/users`                                            |
 * | `spin-base-path`           | `X_BASE_PATH`           | `/shop`                                             |
 * | `spin-client-addr`         | `X_CLIENT_ADDR`         | `127.0.0.1:53152`                                   |
 * | `spin-path-match-<name>`   | `X_PATH_MATCH_<NAME>`   | for route `/users/:id/...`: `spin-path-match-id: 1` |
 *
 * Spin writes a parameter's header as `SPIN_PATH_MATCH_<NAME>` with `_` turned into `-`
 * and lower-cased: `:user_id` is `spin-path-match-user-id`.
 */
import type { RouteMatch } from './routes.ts';

/** The request as the listener saw it. */
export interface RequestInfo {
  scheme: 'http' | 'https';
  /** The Host header (host and port); `localhost` when the client sent none. */
  host: string;
  /** Path and query, as sent: `/shop/users/1/edit?theme=pink`. */
  pathAndQuery: string;
  /** The client's IP address and port. */
  clientAddress: string;
  clientPort: number;
}

/** `ip:port`, with an IPv6 address in brackets, as Rust's SocketAddr prints it. */
export function clientAddr(info: Pick<RequestInfo, 'clientAddress' | 'clientPort'>): string {
  const ip = info.clientAddress.startsWith('::ffff:') ? info.clientAddress.slice(7) : info.clientAddress;
  return ip.includes(':') ? `[${ip}]:${info.clientPort}` : `${ip}:${info.clientPort}`;
}

/** [spin header, Wagi variable, value] for one request. */
function routeValues(match: RouteMatch<unknown>, info: RequestInfo): [string, string, string][] {
  return [
    ['spin-full-url', 'X_FULL_URL', `${info.scheme}://${info.host}${info.pathAndQuery}`],
    ['spin-path-info', 'PATH_INFO', match.pathInfo],
    ['spin-matched-route', 'X_MATCHED_ROUTE', match.matchedRoute],
    ['spin-raw-component-route', 'X_RAW_COMPONENT_ROUTE', match.rawComponentRoute],
    ['spin-component-route', 'X_COMPONENT_ROUTE', match.componentRoute],
    ['spin-base-path', 'X_BASE_PATH', match.pattern.base],
    ['spin-client-addr', 'X_CLIENT_ADDR', clientAddr(info)],
    ...match.params.map(([name, value]): [string, string, string] => {
      const upper = name.toUpperCase();
      return [`spin-path-match-${upper.toLowerCase().replaceAll('_', '-')}`, `X_PATH_MATCH_${upper}`, value];
    }),
  ];
}

/** The `spin-*` headers Spin adds to every request it passes to a component. */
export function spinHeaders(match: RouteMatch<unknown>, info: RequestInfo): [string, string][] {
  return routeValues(match, info).map(([header, , value]) => [header, value]);
}

/**
 * The client's headers (lower-case names) with Spin's set on top: a client header of the
 * same name as one of Spin's is replaced, so that a client cannot forge them.
 */
export function withSpinHeaders(
  client: readonly [string, string][],
  match: RouteMatch<unknown>,
  info: RequestInfo,
): [string, string][] {
  const spin = spinHeaders(match, info);
  const names = new Set(spin.map(([name]) => name));
  return [...client.filter(([name]) => !names.has(name)), ...spin];
}

/** The same values as Wagi's environment variables (`X_FULL_URL`, `PATH_INFO`, ...). */
export function wagiRouteVariables(match: RouteMatch<unknown>, info: RequestInfo): Record<string, string> {
  return Object.fromEntries(routeValues(match, info).map(([, variable, value]) => [variable, value]));
}
