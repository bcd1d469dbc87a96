/**
 * Spin's HTTP routing, as its HTTP trigger guide and router (spin-http's routes.rs) do it:
 * - An exact route matches only itself: `/cart` matches `/cart`, not `/cart/checkout`.
 * - `:name` matches any one path segment; the component gets its value in the
 *   `spin-path-match-<name>` header: `/users/:id` matches `/users/42`.
 * - A route ending in `/...` is a trailing wildcard: `/users/...` matches `/users`,
 *   `/users/1`, `/users/1/edit`; `/...` matches every path.
 * - A v1 `base` is prefixed to every route.
 * - Precedence, when several routes match: compared segment by segment from the left, the
 *   first segment where they differ decides, an exact segment beating a `:name` and a
 *   `:name` beating the wildcard; so an exact route beats a wildcard and the longest
 *   matching wildcard prefix wins, whatever the manifest order.
 * One trailing slash is not significant, in routes, the base and request paths alike.
 * Pure: no I/O, unit-tested.
 */

const WILDCARD = '/...';
/** Spin's router also reads a trailing `/*` as the wildcard. */
const STAR = '/*';
/** Names become header names (`spin-path-match-<name>`) and Wagi variables (`X_PATH_MATCH_<NAME>`). */
const PARAM_NAME = /^[A-Za-z0-9_]+$/;

type Segment = { kind: 'exact'; text: string } | { kind: 'param'; name: string };

export interface RoutePattern {
  /** The route as written in the manifest, e.g. `/users/:id/...`. */
  readonly raw: string;
  /** The application base as written (`/` when none). */
  readonly base: string;
  readonly kind: 'exact' | 'wildcard';
  /** Base and route without the wildcard and without a trailing slash: `/shop/users/:id`, or `` for `/...`. */
  readonly prefix: string;
  /** The segments of `prefix`. */
  readonly segments: readonly Segment[];
}

/** A route that cannot be read: the reason, for a manifest error on `route`. */
export class RouteSyntaxError extends Error {
  override name = 'RouteSyntaxError';
}

export function parseRoute(raw: string, base = '/'): RoutePattern {
  const full = stripSlash(base) + stripSlash(raw);
  const wildcard = [WILDCARD, STAR].find((suffix) => full.endsWith(suffix));
  const prefix = wildcard === undefined ? full : full.slice(0, Math.max(0, full.length - wildcard.length));
  const segments = splitPath(prefix).map((text): Segment => {
    if (text === '...' || text === '*') {
      throw new RouteSyntaxError(
        `a wildcard ('/...') may only end a route, as in "/users/...", got ${JSON.stringify(raw)}`,
      );
    }
    if (!text.startsWith(':')) return { kind: 'exact', text };
    const name = text.slice(1);
    if (!PARAM_NAME.test(name)) {
      throw new RouteSyntaxError(
        `'${text}' is not a parameter name: use letters, digits and '_' after ':', as in "/users/:id"`,
      );
    }
    return { kind: 'param', name };
  });
  const names = segments.flatMap((s) => (s.kind === 'param' ? [s.name.toLowerCase()] : []));
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new RouteSyntaxError(`the parameter ':${twice}' appears twice`);
  return { raw, base, kind: wildcard === undefined ? 'exact' : 'wildcard', prefix, segments };
}

/** Whether `path` (a request path without the query) is served by `pattern`. */
export function matches(pattern: RoutePattern, path: string): boolean {
  return capture(pattern, path) !== undefined;
}

/** The parameter values and the path after the route, or undefined when `pattern` does not match `path`. */
function capture(pattern: RoutePattern, path: string): { params: [string, string][]; pathInfo: string } | undefined {
  const parts = splitPath(stripSlash(path));
  const { segments } = pattern;
  if (parts.length < segments.length || (pattern.kind === 'exact' && parts.length !== segments.length)) {
    return undefined;
  }
  const params: [string, string][] = [];
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] as string;
    if (segment.kind === 'exact' ? part !== segment.text : part === '') return undefined;
    if (segment.kind === 'param') params.push([segment.name, part]);
  }
  return { params, pathInfo: pattern.kind === 'wildcard' ? afterSegments(path, segments.length) : '' };
}

/** What a request path is told about the route that matched it: Spin's spin-* header values. */
export interface RouteMatch<T> {
  readonly pattern: RoutePattern;
  readonly target: T;
  /** The path after the matched route (and base): `/1/edit` for `/shop/users/1/edit`. */
  readonly pathInfo: string;
  /** Base and route as matched, with the wildcard: `/shop/users/...`. */
  readonly matchedRoute: string;
  /** The route as written, without the base: `/users/...`. */
  readonly rawComponentRoute: string;
  /** The route as written without the wildcard: `/users`. */
  readonly componentRoute: string;
  /** The `:name` segments' values, in route order: `[['id', '42']]` for `/users/:id` on `/users/42`. */
  readonly params: readonly [string, string][];
}

export interface RouteEntry<T> {
  readonly route: string;
  readonly base?: string;
  readonly target: T;
}

/**
 * Two trigger tables claim routes that match the same paths (`/hello` and `/hello/`,
 * `/users/:id` and `/users/:name`): a manifest error naming both. Spin keeps the last
 * one with a warning; spindle refuses to guess.
 */
export class DuplicateRoute<T> extends Error {
  override name = 'DuplicateRoute';
  readonly first: RouteEntry<T>;
  readonly second: RouteEntry<T>;

  constructor(first: RouteEntry<T>, second: RouteEntry<T>) {
    super(`route '${second.route}' is served twice`);
    this.first = first;
    this.second = second;
  }
}

interface Entry<T> {
  pattern: RoutePattern;
  entry: RouteEntry<T>;
}

/** The routes of an app, and which of them serves a request path. */
export class RouteTable<T> {
  /** Most specific first: the first that matches serves. */
  readonly #routes: Entry<T>[];

  /** Throws DuplicateRoute when two entries match the same paths; RouteSyntaxError for an unreadable route. */
  constructor(entries: readonly RouteEntry<T>[]) {
    const byShape = new Map<string, Entry<T>>();
    for (const entry of entries) {
      const pattern = parseRoute(entry.route, entry.base);
      const shape = shapeOf(pattern);
      const other = byShape.get(shape);
      if (other !== undefined) throw new DuplicateRoute(other.entry, entry);
      byShape.set(shape, { pattern, entry });
    }
    this.#routes = [...byShape.values()].sort((a, b) => precedence(a.pattern, b.pattern));
  }

  /** The route serving `path` (no query string), or undefined: a 404. */
  match(path: string): RouteMatch<T> | undefined {
    for (const { pattern, entry } of this.#routes) {
      const captured = capture(pattern, path);
      if (captured === undefined) continue;
      return {
        pattern,
        target: entry.target,
        pathInfo: captured.pathInfo,
        matchedRoute: stripSlash(pattern.base) + stripSlash(pattern.raw) || '/',
        rawComponentRoute: pattern.raw,
        componentRoute: withoutWildcard(pattern.raw),
        params: captured.params,
      };
    }
    return undefined;
  }
}

/**
 * How Spin's service chaining presents a request to `http://<id>.spin.internal/<path>`:
 * as if matched by the route `/...` (spin-http's synthetic match), the whole path as
 * path info.
 */
export function chainedMatch<T>(target: T, path: string): RouteMatch<T> {
  return {
    pattern: parseRoute(WILDCARD),
    target,
    pathInfo: path,
    matchedRoute: WILDCARD,
    rawComponentRoute: WILDCARD,
    componentRoute: '',
    params: [],
  };
}

/** Negative when `a` is the more specific (it serves first). */
function precedence(a: RoutePattern, b: RoutePattern): number {
  const groups = (p: RoutePattern) => [
    ...p.segments.map((s) => s.kind),
    ...(p.kind === 'wildcard' ? ['wildcard'] : []),
  ];
  const [ga, gb] = [groups(a), groups(b)];
  const rank = { exact: 0, param: 1, wildcard: 2 } as const;
  for (let i = 0; i < Math.min(ga.length, gb.length); i++) {
    const diff = rank[ga[i] as keyof typeof rank] - rank[gb[i] as keyof typeof rank];
    if (diff !== 0) return diff;
  }
  return ga.length - gb.length;
}

/** Two routes with one shape match the same paths: exact text kept, parameter names not. */
function shapeOf(pattern: RoutePattern): string {
  const segments = pattern.segments.map((s) => (s.kind === 'exact' ? `=${s.text}` : ':'));
  return `${segments.join('/')}${pattern.kind === 'wildcard' ? '/...' : ''}`;
}

/** The path's segments; `/` and `` have none. */
function splitPath(path: string): string[] {
  return path === '' || path === '/' ? [] : path.replace(/^\//, '').split('/');
}

/** `path` after its first `count` segments, its trailing slash kept as Spin does (`/a/` after `/a` is `/`). */
function afterSegments(path: string, count: number): string {
  let at = 0;
  for (let i = 0; i < count; i++) {
    const next = path.indexOf('/', at + 1);
    at = next === -1 ? path.length : next;
  }
  return path.slice(at);
}

function withoutWildcard(route: string): string {
  const raw = stripSlash(route);
  if (raw.endsWith(WILDCARD)) return raw.slice(0, -WILDCARD.length);
  if (raw.endsWith(STAR)) return raw.slice(0, -STAR.length);
  return route;
}

function stripSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}
