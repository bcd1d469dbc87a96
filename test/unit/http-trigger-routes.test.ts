import { describe, expect, it } from 'vitest';
import { parseHttpConfig } from '../../adapters/http/config.ts';
import { DuplicateRoute, matches, parseRoute, RouteTable } from '../../adapters/http/routes.ts';
import { TriggerTable } from '../../src/app/table.ts';

const table = (routes: [string, string][], base?: string) =>
  new RouteTable(routes.map(([route, target]) => ({ route, target, ...(base ? { base } : {}) })));
const serving = (routes: RouteTable<string>, path: string) => routes.match(path)?.target;

describe('Spin HTTP routes', () => {
  it('an exact route matches only itself: /cart is not /cart/checkout', () => {
    const routes = table([
      ['/cart', 'shopping-cart'],
      ['/cart/checkout', 'checkout'],
    ]);
    expect(serving(routes, '/cart')).toBe('shopping-cart');
    expect(serving(routes, '/cart/checkout')).toBe('checkout');
    expect(serving(routes, '/cart/other')).toBeUndefined();
    expect(serving(routes, '/carts')).toBeUndefined();
  });

  it('a wildcard route matches itself and everything under it', () => {
    const pattern = parseRoute('/users/...');
    for (const path of ['/users', '/users/', '/users/1', '/users/1/edit']) expect(matches(pattern, path)).toBe(true);
    for (const path of ['/', '/user', '/usersx', '/other/users']) expect(matches(pattern, path)).toBe(false);
  });

  it('/... matches every path', () => {
    const pattern = parseRoute('/...');
    for (const path of ['/', '/a', '/a/b/c/', '/this/should/really/match/everything']) {
      expect(matches(pattern, path)).toBe(true);
    }
  });

  it('one trailing slash is not significant', () => {
    expect(matches(parseRoute('/foo/bar'), '/foo/bar/')).toBe(true);
    expect(matches(parseRoute('/foo/bar/'), '/foo/bar')).toBe(true);
    expect(matches(parseRoute('/foo/bar'), '/foo/bar/baz')).toBe(false);
  });

  it("longest prefix wins and an exact route beats a wildcard (Spin's /users example)", () => {
    const routes = table([
      ['/users/...', 'user-manager'],
      ['/users/admin', 'admin'],
      ['/...', 'shop'],
    ]);
    expect(serving(routes, '/users/1')).toBe('user-manager');
    expect(serving(routes, '/users')).toBe('user-manager');
    expect(serving(routes, '/users/admin')).toBe('admin');
    expect(serving(routes, '/users/admin/x')).toBe('user-manager');
    expect(serving(routes, '/cart')).toBe('shop');
    expect(serving(routes, '/')).toBe('shop');
  });

  it('the manifest order does not matter for nested wildcards', () => {
    const forward = table([
      ['/one/...', '1'],
      ['/one/two/...', '2'],
      ['/one/two/three/...', '3'],
    ]);
    const backward = table([
      ['/one/two/three/...', '3'],
      ['/one/two/...', '2'],
      ['/one/...', '1'],
    ]);
    for (const routes of [forward, backward]) {
      expect(serving(routes, '/one/two/three/four')).toBe('3');
      expect(serving(routes, '/one/two/x')).toBe('2');
      expect(serving(routes, '/one')).toBe('1');
    }
  });

  it('a base prefixes every route, exact or wildcard', () => {
    const routes = table(
      [
        ['/cart', 'cart'],
        ['/users/...', 'users'],
      ],
      '/shop',
    );
    expect(serving(routes, '/shop/cart')).toBe('cart');
    expect(serving(routes, '/shop/users')).toBe('users');
    expect(serving(routes, '/shop/users/1/edit')).toBe('users');
    expect(serving(routes, '/cart')).toBeUndefined();
    expect(serving(routes, '/users/1')).toBeUndefined();
    expect(serving(table([['/...', 'all']], '/shop/'), '/shop')).toBe('all');
  });

  it('an unmatched path has no route (a 404)', () => {
    expect(table([['/hello', 'hello']]).match('/bye')).toBeUndefined();
  });

  it('two entries on one route are a DuplicateRoute naming both', () => {
    // The trailing slash goes first: `/api/.../` is the wildcard `/api/...` too.
    const build = () =>
      table([
        ['/api/...', 'first'],
        ['/api/.../', 'x'],
      ]);
    expect(() =>
      table([
        ['/hello', 'first'],
        ['/hello/', 'second'],
      ]),
    ).toThrow(DuplicateRoute);
    try {
      table([
        ['/api/...', 'first'],
        ['/api/...', 'second'],
      ]);
      expect.unreachable();
    } catch (error) {
      expect((error as DuplicateRoute<string>).first.target).toBe('first');
      expect((error as DuplicateRoute<string>).second.target).toBe('second');
    }
    expect(build).toThrow(DuplicateRoute);
  });

  it('an exact route and a wildcard on the same prefix are different routes', () => {
    const routes = table([
      ['/api', 'exact'],
      ['/api/...', 'wild'],
    ]);
    expect(serving(routes, '/api')).toBe('exact');
    expect(serving(routes, '/api/x')).toBe('wild');
  });

  it('tells the path info and route forms of a match (the spin-* header values)', () => {
    const match = table([['/users/...', 'users']], '/shop').match('/shop/users/1/edit');
    expect(match).toMatchObject({
      pathInfo: '/1/edit',
      matchedRoute: '/shop/users/...',
      rawComponentRoute: '/users/...',
      componentRoute: '/users',
    });
    expect(match?.pattern.base).toBe('/shop');
    expect(table([['/...', 'all']]).match('/a/b')).toMatchObject({
      pathInfo: '/a/b',
      matchedRoute: '/...',
      rawComponentRoute: '/...',
      componentRoute: '',
    });
    expect(table([['/hello', 'h']]).match('/hello')).toMatchObject({ pathInfo: '', componentRoute: '/hello' });
    expect(table([['/users/...', 'u']]).match('/users')).toMatchObject({ pathInfo: '' });
  });
});

describe('Spin HTTP routes: :name parameters and precedence', () => {
  it(':name matches exactly one non-empty segment and captures it', () => {
    const routes = table([['/users/:id', 'user']]);
    expect(routes.match('/users/42')).toMatchObject({ target: 'user', params: [['id', '42']], pathInfo: '' });
    expect(routes.match('/users/42/')?.params).toEqual([['id', '42']]);
    for (const path of ['/users', '/users/', '/users/42/orders', '/users//'])
      expect(routes.match(path)).toBeUndefined();
  });

  it('captures parameters before a trailing wildcard, and what follows as path info', () => {
    const match = table([['/users/:id/...', 'u']], '/shop').match('/shop/users/7/orders/9/');
    expect(match).toMatchObject({
      params: [['id', '7']],
      pathInfo: '/orders/9/',
      matchedRoute: '/shop/users/:id/...',
      rawComponentRoute: '/users/:id/...',
      componentRoute: '/users/:id',
    });
    expect(table([['/test/...', 't']]).match('/test/')?.pathInfo).toBe('/');
  });

  it('exact beats :name beats the wildcard, segment by segment from the left, whatever the order', () => {
    const entries: [string, string][] = [
      ['/...', 'all'],
      ['/users/:id/...', 'user-tree'],
      ['/users/:id', 'user'],
      ['/users/admin', 'admin'],
      ['/users/admin/...', 'admin-tree'],
      ['/:section/settings', 'settings'],
    ];
    const served = {
      '/users/admin': 'admin',
      '/users/42': 'user',
      '/users/42/x': 'user-tree',
      '/users/admin/x': 'admin-tree',
      // `users` (exact) beats `:section`: /users/:id serves /users/settings.
      '/users/settings': 'user',
      '/shop/settings': 'settings',
      '/users': 'all',
    };
    for (const routes of [table(entries), table([...entries].reverse())]) {
      for (const [path, target] of Object.entries(served)) expect(serving(routes, path), path).toBe(target);
    }
  });

  it('routes that match the same paths conflict even with other parameter names', () => {
    expect(() =>
      table([
        ['/users/:id', 'first'],
        ['/users/:name/', 'second'],
      ]),
    ).toThrow(DuplicateRoute);
    expect(() =>
      table([
        ['/a/...', 'first'],
        ['/a/*', 'second'],
      ]),
    ).toThrow(DuplicateRoute);
    expect(() =>
      table([
        ['/users/:id', 'param'],
        ['/users/me', 'exact'],
        ['/users/:id/...', 'wild'],
      ]),
    ).not.toThrow();
  });

  it('refuses routes it cannot read, saying why', () => {
    expect(() => parseRoute('/a/.../b')).toThrow(
      'a wildcard (\'/...\') may only end a route, as in "/users/...", got "/a/.../b"',
    );
    expect(() => parseRoute('/users/:')).toThrow("':' is not a parameter name");
    expect(() => parseRoute('/users/:user-id')).toThrow("':user-id' is not a parameter name");
    expect(() => parseRoute('/:id/x/:id')).toThrow("the parameter ':id' appears twice");
  });
});

describe('the route field of [[trigger.http]]', () => {
  const config = (route: unknown) =>
    parseHttpConfig(new TriggerTable('spin.toml', 'trigger.http[0]', { component: 'c', route }));

  it('is a path, or { private = true } for no public route', () => {
    expect(config('/users/:id/...').route).toBe('/users/:id/...');
    expect(config({ private: true }).route).toBeUndefined();
  });

  it('names the field and says why when it is neither', () => {
    const at = 'spin.toml: [trigger.http[0]] route:';
    expect(() => config({ private: false })).toThrow(
      `${at} must be a path or { private = true }, got {"private":false}`,
    );
    expect(() => config(3)).toThrow(`${at} expected a path or { private = true }, got number 3`);
    expect(() => config('users')).toThrow(`${at} must start with '/', got "users"`);
    expect(() => config('/:id/:id')).toThrow(`${at} the parameter ':id' appears twice`);
    expect(() => config(undefined)).toThrow(`${at} is required`);
  });
});
