/**
 * Spin's HTTP routes through spindle's real listener: `:name` parameters and their
 * `spin-path-match-*` headers, precedence, conflicting routes refused at start, and
 * `route = { private = true }`: never served to outside callers, answered in-process by
 * service chaining (`http://<component>.spin.internal/`, `RunningApp.fetchInternal`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApp, ManifestError, type RunningApp, startApp } from '../../src/index.ts';
import { buildHttpGuest } from '../support/http-fixtures.ts';

interface Echo {
  method: string;
  uri: string;
  headers: Record<string, string>;
  body: string | null;
}

let wasm: string;
beforeAll(async () => {
  wasm = await buildHttpGuest('spin-echo');
}, 180_000);

/** An app whose components all run the echo guest, one per route (`private` for a private one). */
function start(routes: Record<string, string | 'private'>): Promise<RunningApp> {
  const ids = Object.keys(routes);
  return startApp(
    defineApp({
      name: 'http-routes',
      components: Object.fromEntries(ids.map((id) => [id, { source: wasm }])),
      triggers: ids.map((id) => ({
        type: 'http',
        component: id,
        route: routes[id] === 'private' ? { private: true } : routes[id],
      })),
    }),
    { listen: { host: '127.0.0.1', port: 0 } },
  );
}

describe('http trigger routes (the real listener)', () => {
  let app: RunningApp;
  const get = async (path: string) => {
    const response = await fetch(new URL(path, app.url));
    return { status: response.status, text: await response.text() };
  };
  const echo = async (path: string): Promise<Echo> => {
    const reply = await get(path);
    expect(reply.status, `GET ${path}`).toBe(200);
    return JSON.parse(reply.text) as Echo;
  };

  beforeAll(async () => {
    app = await start({
      user: '/users/:id',
      admin: '/users/admin',
      orders: '/users/:id/orders/...',
      files: '/files/...',
      backend: 'private',
    });
  }, 180_000);
  afterAll(() => app?.stop());

  it('passes each :name segment as spin-path-match-<name>', async () => {
    const { headers } = await echo('/users/42');
    expect(headers).toMatchObject({
      'spin-matched-route': '/users/:id',
      'spin-path-match-id': '42',
      'spin-path-info': '',
      'spin-component-route': '/users/:id',
    });
  });

  it('serves the most specific route: exact, then :name, then the wildcard', async () => {
    expect((await echo('/users/admin')).headers['spin-matched-route']).toBe('/users/admin');
    const orders = await echo('/users/7/orders/2024/03?page=2');
    expect(orders.headers).toMatchObject({
      'spin-matched-route': '/users/:id/orders/...',
      'spin-path-match-id': '7',
      'spin-path-info': '/2024/03',
    });
    expect(orders.uri).toBe('/users/7/orders/2024/03?page=2');
    expect((await get('/users/7/other')).status).toBe(404);
    expect((await get('/users')).status).toBe(404);
  });

  it('never serves a private component to outside callers', async () => {
    for (const path of ['/', '/backend', '/backend/', '/backend/hello']) expect((await get(path)).status).toBe(404);
    const spoofed = await fetch(new URL('/backend', app.url), { headers: { host: 'backend.spin.internal' } });
    expect(spoofed.status).toBe(404);
    expect(app.endpoints).toContain('ANY http://backend.spin.internal/ (private) -> backend');
  });

  it('answers service chaining in-process with the private component, as matched by /...', async () => {
    const response = await app.fetchInternal(
      new Request('http://backend.spin.internal/hello/world?x=1', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-from': 'frontend' },
        body: 'ping',
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-guest')).toBe('spin-echo');
    const seen = (await response.json()) as Echo;
    expect(seen).toMatchObject({ method: 'post', uri: '/hello/world?x=1', body: 'ping' });
    expect(seen.headers).toMatchObject({
      'x-from': 'frontend',
      'spin-matched-route': '/...',
      'spin-path-info': '/hello/world',
      'spin-full-url': 'http://backend.spin.internal/hello/world?x=1',
    });
    expect(seen.headers).not.toHaveProperty('host');
  });

  it('chains to a public component too, and refuses a component no HTTP trigger serves', async () => {
    const files = await app.fetchInternal(new Request('http://files.spin.internal/a.txt'));
    expect(((await files.json()) as Echo).headers['spin-path-info']).toBe('/a.txt');
    await expect(app.fetchInternal(new Request('http://nobody.spin.internal/'))).rejects.toThrow(
      "no HTTP component 'nobody' to chain to (components served over HTTP: user, admin, orders, files, backend)",
    );
    await expect(app.fetchInternal(new Request('http://example.com/'))).rejects.toThrow(
      'http://example.com/ is not a service-chaining URL',
    );
  });
});

describe('http trigger routes refused at start', () => {
  it('names both components of routes that match the same paths', async () => {
    const error = await start({ one: '/users/:id', two: '/users/:name' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toBe(
      "<embedded>: [triggers[1]] route: '/users/:name' is already the route of [triggers[0]] (component 'one'): " +
        "components 'one' and 'two' cannot share a route",
    );
  }, 60_000);

  it('names the field of a route it cannot read, and of route = { private = false }', async () => {
    await expect(start({ one: '/a/.../b' })).rejects.toThrow(
      '<embedded>: [triggers[0]] route: a wildcard (\'/...\') may only end a route, as in "/users/...", got "/a/.../b"',
    );
    const refused = await startApp(
      defineApp({
        name: 'bad-private',
        components: { one: { source: wasm } },
        triggers: [{ type: 'http', component: 'one', route: { private: false } }],
      }),
      { listen: { host: '127.0.0.1', port: 0 } },
    ).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(
      '<embedded>: [triggers[0]] route: must be a path or { private = true }',
    );
  }, 60_000);
});
