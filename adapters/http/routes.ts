/**
 * Spin's HTTP routing, as its HTTP trigger guide states it:
 * - "An exact route matches only the given route" (`/cart` matches `/cart`, not `/cart/checkout`).
 * - "A route is a wildcard if it ends in `/...`": `/users/...` matches `/users`, `/users/1`,
 *   `/users/1/edit`; "the route `/...` matches all routes".
 * - "If `base` contains a non-root path, this is prefixed to all component routes".
 * - "the component whose route has the longest matching prefix takes precedence. This also
 *   means that exact matches take precedence over wildcard matches."
 * One trailing slash is not significant, in routes, the base and request paths alike.
 * Pure: no I/O, unit-tested.
 */

const WILDCARD = '/...';

export interface RoutePattern {
  /** The route as written in the manifest, e.g. `/users/...`. */
  readonly raw: string;
  /** The application base as written (`/` when none). */
  readonly base: string;
  readonly kind: 'exact' | 'wildcard';
  /** Base and route without the wildcard and without a trailing slash: `/shop/users`, or `` for `/...`. */
  readonly prefix: string;
}

export function parseRoute(raw: string, base = '/'): RoutePattern {
  const full = stripSlash(base) + stripSlash(raw);
  if (full.endsWith(WILDCARD)) return { raw, base, kind: 'wildcard', prefix: full.slice(0, -WILDCARD.length) };
  return { raw, base, kind: 'exact', prefix: full };
}

/** Whether `path` (a request path without the query) is served by `pattern`. */
export function matches(pattern: RoutePattern, path: string): boolean {
  const p = stripSlash(path);
  if (pattern.kind === 'exact') return p === pattern.prefix;
  return p === pattern.prefix || p.startsWith(`${pattern.prefix}/`);
}

/** How a request path relates to the route that matched it: Spin's spin-* header values. */
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
}

export interface RouteEntry<T> {
  readonly route: string;
  readonly base?: string;
  readonly target: T;
}

/** Two trigger tables claim the same route: a manifest error naming both. */
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

/** The routes of an app, and which of them serves a request path. */
export class RouteTable<T> {
  readonly #exact = new Map<string, { pattern: RoutePattern; entry: RouteEntry<T> }>();
  /** Longest prefix first. */
  readonly #wildcards: { pattern: RoutePattern; entry: RouteEntry<T> }[] = [];

  /** Throws DuplicateRoute when two entries have the same pattern (after base and slashes). */
  constructor(entries: readonly RouteEntry<T>[]) {
    const wildcards = new Map<string, { pattern: RoutePattern; entry: RouteEntry<T> }>();
    for (const entry of entries) {
      const pattern = parseRoute(entry.route, entry.base);
      const into = pattern.kind === 'exact' ? this.#exact : wildcards;
      const other = into.get(pattern.prefix);
      if (other !== undefined) throw new DuplicateRoute(other.entry, entry);
      into.set(pattern.prefix, { pattern, entry });
    }
    this.#wildcards = [...wildcards.values()].sort((a, b) => b.pattern.prefix.length - a.pattern.prefix.length);
  }

  /** The route serving `path` (no query string), or undefined: a 404. */
  match(path: string): RouteMatch<T> | undefined {
    const exact = this.#exact.get(stripSlash(path));
    const found = exact ?? this.#wildcards.find(({ pattern }) => matches(pattern, path));
    if (found === undefined) return undefined;
    const { pattern, entry } = found;
    return {
      pattern,
      target: entry.target,
      pathInfo: path.startsWith(pattern.prefix) ? path.slice(pattern.prefix.length) : '',
      matchedRoute: stripSlash(pattern.base) + stripSlash(pattern.raw) || '/',
      rawComponentRoute: pattern.raw,
      componentRoute: pattern.raw.endsWith(WILDCARD) ? pattern.raw.slice(0, -WILDCARD.length) : pattern.raw,
    };
  }
}

function stripSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}
