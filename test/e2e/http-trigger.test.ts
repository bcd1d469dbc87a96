/**
 * Spin's HTTP trigger, driven as a user does: `spindle up` on a manifest, real HTTP(S)
 * requests. The guests echo what they received (test/fixtures/http): a Spin inbound-http
 * JS guest, a wasi:http `fetch`-handler guest, and a Wagi module compiled from C.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeIfAvailable } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { buildHttpGuest, buildWagiModule } from '../support/http-fixtures.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { wasiClangMissing } from '../support/wasi-clang.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The client's own address as the server saw it: `127.0.0.1:<local port>`. */
  clientAddr: string;
}

/** One request with node's client (so that TLS can trust the test's own CA). */
function request(
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string; ca?: string } = {},
): Promise<Reply> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false, ...(init.ca ? { ca: init.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            clientAddr: `${res.socket.localAddress}:${res.socket.localPort}`,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

interface Echo {
  executor: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}
const echo = (reply: Reply): Echo => JSON.parse(reply.text) as Echo;

/** `ENV NAME=value` and `ARG i value` lines of the Wagi module's output. */
function wagiOutput(text: string): { env: Record<string, string>; argv: string[]; body: string } {
  const env: Record<string, string> = {};
  const argv: string[] = [];
  let body = '';
  for (const line of text.split('\n')) {
    const envLine = /^ENV ([^=]+)=(.*)$/.exec(line);
    if (envLine) env[envLine[1] as string] = envLine[2] as string;
    const argLine = /^ARG (\d+) (.*)$/.exec(line);
    if (argLine) argv[Number(argLine[1])] = argLine[2] as string;
    if (line.startsWith('BODY ')) body = line.slice(5);
  }
  return { env, argv, body };
}

function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const SPIN_HEADERS = [
  'spin-full-url',
  'spin-path-info',
  'spin-matched-route',
  'spin-raw-component-route',
  'spin-component-route',
  'spin-base-path',
  'spin-client-addr',
] as const;

// The Wagi guest is compiled from C: every suite below shares its build.
const toolchainMissing = await wasiClangMissing();

describeIfAvailable(
  toolchainMissing ? [toolchainMissing] : [],
  'no C toolchain for wasm32-wasi',
  'http trigger',
  () => {
    let dir: string;

    beforeAll(async () => {
      // One directory for every manifest, so that they share the transpile cache (.spindle/).
      dir = await mkdtemp(join(tmpdir(), 'spindle-http-e2e-'));
      const [spin, wasi, wagi] = await Promise.all([
        buildHttpGuest('spin-echo'),
        buildHttpGuest('wasi-echo'),
        buildWagiModule(),
      ]);
      await Promise.all([
        copyFile(spin, join(dir, 'spin-echo.wasm')),
        copyFile(wasi, join(dir, 'wasi-echo.wasm')),
        copyFile(wagi, join(dir, 'wagi-env.wasm')),
      ]);
    }, 180_000);

    const component = (id: string, source: string, extra = '') => `[component.${id}]\nsource = "${source}"\n${extra}\n`;
    const trigger = (route: string, id: string, extra = '') =>
      `[[trigger.http]]\nroute = "${route}"\ncomponent = "${id}"\n${extra}\n`;

    async function manifest(name: string, body: string): Promise<string> {
      const file = join(dir, name);
      await writeFile(
        file,
        `spin_manifest_version = 2\n[application]\nname = "${name.replace('.toml', '')}"\n\n${body}`,
      );
      return file;
    }

    describe('http trigger: routing, headers and worlds (Spin v2 manifest)', () => {
      let app: SpindleProcess;
      const url = (path: string) => new URL(path, app.url);

      beforeAll(async () => {
        const file = await manifest(
          'routes.toml',
          [
            trigger('/cart', 'shopping-cart'),
            trigger('/cart/checkout', 'checkout'),
            trigger('/users/...', 'user-manager'),
            trigger('/users/admin', 'admin'),
            trigger('/...', 'shop'),
            trigger('/wagi/...', 'wagi', 'executor = { type = "wagi" }'),
            // biome-ignore lint/suspicious/noTemplateCurlyInString: Wagi's argv placeholders
            trigger('/wagi-argv', 'wagi', 'executor = { type = "wagi", argv = "${SCRIPT_NAME} extra ${ARGS}" }'),
            trigger('/wagi-entry', 'wagi', 'executor = { type = "wagi", entrypoint = "no_such_export" }'),
            component('shopping-cart', 'spin-echo.wasm'),
            component('checkout', 'spin-echo.wasm'),
            component('user-manager', 'spin-echo.wasm'),
            component('admin', 'spin-echo.wasm'),
            component('shop', 'wasi-echo.wasm'),
            component('wagi', 'wagi-env.wasm', 'environment = { GREETING = "hello" }'),
          ].join('\n'),
        );
        app = await startSpindle(['-f', file, '--log-format', 'json'], { timeoutMs: 120_000 });
      }, 180_000);

      afterAll(async () => {
        await app?.stop();
      });

      it('lists every route and its component in the banner', async () => {
        const base = app.url.origin;
        const lines = [
          `ANY ${base}/cart -> shopping-cart`,
          `ANY ${base}/users/... -> user-manager`,
          `ANY ${base}/... -> shop`,
          `ANY ${base}/wagi/... -> wagi (wagi)`,
        ];
        await waitFor(() => lines.every((line) => app.output().includes(line)), { what: 'the routes in the banner' });
      });

      it('an exact route matches only itself: /cart vs /cart/checkout', async () => {
        const cart = echo(await request(url('/cart')));
        expect(cart.headers['spin-matched-route']).toBe('/cart');
        const checkout = echo(await request(url('/cart/checkout')));
        expect(checkout.headers['spin-matched-route']).toBe('/cart/checkout');
        // /cart/other is not /cart: it falls through to the catch-all.
        const other = echo(await request(url('/cart/other')));
        expect(other.headers['spin-matched-route']).toBe('/...');
      });

      it('longest prefix wins, exact beats wildcard: /users/... vs /users/admin vs /...', async () => {
        const routeOf = async (path: string) => echo(await request(url(path))).headers['spin-matched-route'];
        expect(await routeOf('/users')).toBe('/users/...');
        expect(await routeOf('/users/1')).toBe('/users/...');
        expect(await routeOf('/users/1/edit')).toBe('/users/...');
        expect(await routeOf('/users/admin')).toBe('/users/admin');
        expect(await routeOf('/shop/anything')).toBe('/...');
        expect(await routeOf('/')).toBe('/...');
      });

      it('answers the health route whatever the routes (here /... catches everything else)', async () => {
        const health = await request(url('/.well-known/spin/health'));
        expect(health.status).toBe(200);
        expect(health.text).toBe('OK');
      });

      it('a fermyon:spin/inbound-http component gets the method, uri, body and every spin-* header', async () => {
        const reply = await request(url('/users/1/edit?theme=pink'), {
          method: 'POST',
          body: 'hello',
          headers: { 'content-type': 'text/plain', 'spin-path-info': '/forged' },
        });
        expect(reply.status).toBe(200);
        expect(reply.headers['x-guest']).toBe('spin-echo');
        const got = echo(reply) as Echo & { uri: string };
        expect(got).toMatchObject({ executor: 'spin', method: 'post', uri: '/users/1/edit?theme=pink', body: 'hello' });
        expect(got.headers).toMatchObject({
          'spin-full-url': `http://${app.url.host}/users/1/edit?theme=pink`,
          'spin-path-info': '/1/edit',
          'spin-matched-route': '/users/...',
          'spin-raw-component-route': '/users/...',
          'spin-component-route': '/users',
          'spin-base-path': '/',
          'spin-client-addr': reply.clientAddr,
          'content-type': 'text/plain',
        });
      });

      it('a wasi:http/incoming-handler component (a fetch handler) gets the same request', async () => {
        const reply = await request(url('/shop/item/7?x=1'), { method: 'PUT', body: 'payload' });
        expect(reply.status).toBe(200);
        expect(reply.headers['x-guest']).toBe('wasi-echo');
        const got = echo(reply) as Echo & { url: string };
        expect(got).toMatchObject({ executor: 'wasi-http', method: 'PUT', body: 'payload' });
        expect(got.url).toBe(`http://${app.url.host}/shop/item/7?x=1`);
        expect(got.headers).toMatchObject({
          'spin-full-url': `http://${app.url.host}/shop/item/7?x=1`,
          'spin-path-info': '/shop/item/7',
          'spin-matched-route': '/...',
          'spin-raw-component-route': '/...',
          'spin-component-route': '',
          'spin-base-path': '/',
          'spin-client-addr': reply.clientAddr,
        });
        // A componentize-js HTTP instance answers once: a second request needs (and gets) a fresh one.
        expect((await request(url('/again'))).status).toBe(200);
      });

      it('passes the guest status and headers through', async () => {
        for (const path of ['/cart', '/anything']) {
          const reply = await request(url(path), { headers: { 'x-test': 'status' } });
          expect(reply.status).toBe(418);
          expect(reply.headers['content-type']).toBe('application/json');
        }
      });

      it('a guest trap is a 500, logged with the component id, and the runtime keeps serving', async () => {
        const spinTrap = await request(url('/cart'), { headers: { 'x-test': 'trap' } });
        expect(spinTrap.status).toBe(500);
        const wasiTrap = await request(url('/anything'), { headers: { 'x-test': 'trap' } });
        expect(wasiTrap.status).toBe(500);
        await waitFor(
          () =>
            logLines(app.output()).some(
              (l) => l.component === 'shopping-cart' && l.level === 'error' && l.status === 500,
            ),
          { what: 'the trap of shopping-cart in the log' },
        );
        expect((await request(url('/cart'))).status).toBe(200);
        expect((await request(url('/anything'))).status).toBe(200);
      });

      it('Wagi: the CGI environment, Spin route variables, argv from the query, the body on stdin', async () => {
        const reply = await request(url('/wagi/hello/abc?foo=bar&baz=1'), {
          method: 'POST',
          body: 'posted body',
          headers: { 'content-type': 'text/plain', 'x-custom': 'yes' },
        });
        expect(reply.status).toBe(200);
        expect(reply.headers['content-type']).toBe('text/plain');
        expect(reply.headers['x-wagi']).toBe('yes');
        const { env, argv, body } = wagiOutput(reply.text);
        expect(env).toMatchObject({
          X_FULL_URL: `http://${app.url.host}/wagi/hello/abc?foo=bar&baz=1`,
          PATH_INFO: '/hello/abc',
          X_MATCHED_ROUTE: '/wagi/...',
          X_RAW_COMPONENT_ROUTE: '/wagi/...',
          X_COMPONENT_ROUTE: '/wagi',
          X_BASE_PATH: '/',
          X_CLIENT_ADDR: reply.clientAddr,
          REQUEST_METHOD: 'POST',
          QUERY_STRING: 'foo=bar&baz=1',
          CONTENT_LENGTH: '11',
          CONTENT_TYPE: 'text/plain',
          GATEWAY_INTERFACE: 'CGI/1.1',
          SCRIPT_NAME: '/wagi',
          SERVER_NAME: '127.0.0.1',
          SERVER_PORT: app.url.port,
          HTTP_X_CUSTOM: 'yes',
          GREETING: 'hello',
        });
        expect(argv).toEqual(['/wagi/hello/abc', 'foo=bar', 'baz=1']);
        expect(body).toBe('posted body');
      });

      it('Wagi: the argv template of the executor table', async () => {
        const { argv } = wagiOutput((await request(url('/wagi-argv?a=1'))).text);
        expect(argv).toEqual(['/wagi-argv', 'extra', 'a=1']);
      });

      it('Wagi: status and location are honoured', async () => {
        const notFound = await request(url('/wagi/x'), { headers: { 'x-status': '404 Not Found' } });
        expect(notFound.status).toBe(404);
        const redirect = await request(url('/wagi/x?redirect'));
        expect(redirect.status).toBe(302);
        expect(redirect.headers.location).toBe('/elsewhere');
      });

      it('Wagi: a malformed CGI response is a 502, the reason in the log', async () => {
        const reply = await request(url('/wagi/x?malformed'));
        expect(reply.status).toBe(502);
        await waitFor(
          () =>
            logLines(app.output()).some(
              (l) => l.component === 'wagi' && l.status === 502 && String(l.msg).includes('is not a header line'),
            ),
          { what: 'the malformed-response reason in the log' },
        );
      });

      it('Wagi: guest stderr goes to the log tagged with the component id', async () => {
        await request(url('/wagi/stderr'), { method: 'DELETE' });
        await waitFor(
          () =>
            logLines(app.output()).some(
              (l) => l.component === 'wagi' && l.stream === 'stderr' && l.msg === 'wagi-env: handling DELETE',
            ),
          { what: "the Wagi module's stderr line in the log" },
        );
      });

      it('Wagi: an entrypoint the module does not export is a 500 naming it', async () => {
        expect((await request(url('/wagi-entry'))).status).toBe(500);
        await waitFor(() => app.output().includes("has no exported function 'no_such_export'"), {
          what: 'the missing entrypoint in the log',
        });
      });
    });

    describe('http trigger: Spin v1 manifest with base = "/shop"', () => {
      let app: SpindleProcess;
      const url = (path: string) => new URL(path, app.url);

      beforeAll(async () => {
        const file = join(dir, 'v1.toml');
        await writeFile(
          file,
          [
            'spin_manifest_version = "1"',
            'name = "shop"',
            'trigger = { type = "http", base = "/shop" }',
            '',
            '[[component]]',
            'id = "cart"',
            'source = "spin-echo.wasm"',
            '[component.trigger]',
            'route = "/cart"',
            '',
            '[[component]]',
            'id = "users"',
            'source = "spin-echo.wasm"',
            '[component.trigger]',
            'route = "/users/..."',
            '',
            '[[component]]',
            'id = "env"',
            'source = "wagi-env.wasm"',
            '[component.trigger]',
            'route = "/env/..."',
            'executor = { type = "wagi" }',
            '',
          ].join('\n'),
        );
        app = await startSpindle(['-f', file], { timeoutMs: 120_000 });
      }, 180_000);

      afterAll(async () => {
        await app?.stop();
      });

      it('prefixes every route with the base', async () => {
        expect(echo(await request(url('/shop/cart'))).headers['spin-matched-route']).toBe('/shop/cart');
        expect(echo(await request(url('/shop/users'))).headers['spin-matched-route']).toBe('/shop/users/...');
        expect(echo(await request(url('/shop/users/1/edit'))).headers['spin-matched-route']).toBe('/shop/users/...');
      });

      it('routes without the base, and unmatched paths, are 404', async () => {
        expect((await request(url('/cart'))).status).toBe(404);
        expect((await request(url('/users/1'))).status).toBe(404);
        expect((await request(url('/shop/nothing'))).status).toBe(404);
      });

      it("sets the spin-* headers of Spin's table (base /shop, route /users/...)", async () => {
        const reply = await request(url('/shop/users/1/edit?theme=pink'));
        const headers = echo(reply).headers;
        expect(Object.fromEntries(SPIN_HEADERS.map((name) => [name, headers[name]]))).toEqual({
          'spin-full-url': `http://${app.url.host}/shop/users/1/edit?theme=pink`,
          'spin-path-info': '/1/edit',
          'spin-matched-route': '/shop/users/...',
          'spin-raw-component-route': '/users/...',
          'spin-component-route': '/users',
          'spin-base-path': '/shop',
          'spin-client-addr': reply.clientAddr,
        });
      });

      it('gives Wagi the same values as X_* variables', async () => {
        const reply = await request(url('/shop/env/hello/abc?foo=bar'));
        const { env, argv } = wagiOutput(reply.text);
        expect(env).toMatchObject({
          X_FULL_URL: `http://${app.url.host}/shop/env/hello/abc?foo=bar`,
          PATH_INFO: '/hello/abc',
          X_MATCHED_ROUTE: '/shop/env/...',
          X_RAW_COMPONENT_ROUTE: '/env/...',
          X_COMPONENT_ROUTE: '/env',
          X_BASE_PATH: '/shop',
          SCRIPT_NAME: '/shop/env',
        });
        expect(argv).toEqual(['/shop/env/hello/abc', 'foo=bar']);
      });
    });

    describe('http trigger: HTTPS', () => {
      const openssl = (() => {
        try {
          execFileSync('openssl', ['version'], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      })();
      let cert: string;
      let key: string;
      let file: string;

      beforeAll(async () => {
        file = await manifest('tls.toml', [trigger('/...', 'echo'), component('echo', 'spin-echo.wasm')].join('\n'));
        if (!openssl) return;
        cert = join(dir, 'cert.pem');
        key = join(dir, 'key.pem');
        // A self-signed certificate for 127.0.0.1; OpenSSL 3 writes the key as PKCS#8.
        execFileSync(
          'openssl',
          ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
          ]),
          { stdio: 'ignore' },
        );
      });

      it.skipIf(!openssl)('serves HTTPS with --tls-cert and --tls-key; spin-full-url says https', async () => {
        const app = await startSpindle(['-f', file, '--tls-cert', cert, '--tls-key', key], { timeoutMs: 120_000 });
        try {
          expect(app.url.protocol).toBe('https:');
          const ca = (await import('node:fs')).readFileSync(cert, 'utf8');
          const reply = await request(new URL('/secure/path?q=1', app.url), { ca });
          expect(reply.status).toBe(200);
          expect(echo(reply).headers['spin-full-url']).toBe(`https://${app.url.host}/secure/path?q=1`);
          const health = await request(new URL('/.well-known/spin/health', app.url), { ca });
          expect(health.status).toBe(200);
        } finally {
          await app.stop();
        }
      });

      it.skipIf(!openssl)('serves HTTPS with SPIN_TLS_CERT and SPIN_TLS_KEY', async () => {
        const app = await startSpindle(['-f', file], {
          env: { SPIN_TLS_CERT: cert, SPIN_TLS_KEY: key },
          timeoutMs: 120_000,
        });
        try {
          expect(app.url.protocol).toBe('https:');
          const ca = (await import('node:fs')).readFileSync(cert, 'utf8');
          expect((await request(new URL('/x', app.url), { ca })).status).toBe(200);
        } finally {
          await app.stop();
        }
      });

      it('half-configured TLS exits non-zero with one clear line', async () => {
        const onlyCert = await runSpindle(['up', '-f', file, '--listen', '127.0.0.1:0', '--tls-cert', 'cert.pem'], {
          env: { SPIN_TLS_CERT: undefined, SPIN_TLS_KEY: undefined },
        });
        expect(onlyCert.code).not.toBe(0);
        expect(onlyCert.stderr.trim().split('\n')).toEqual([
          expect.stringMatching(/^Error: TLS needs both .*--tls-cert/),
        ]);
        const onlyKeyEnv = await runSpindle(['up', '-f', file, '--listen', '127.0.0.1:0'], {
          env: { SPIN_TLS_CERT: undefined, SPIN_TLS_KEY: 'key.pem' },
        });
        expect(onlyKeyEnv.code).not.toBe(0);
        expect(onlyKeyEnv.stderr.trim().split('\n')).toEqual([
          expect.stringMatching(/^Error: TLS needs both .*--tls-key/),
        ]);
      });
    });

    describe('http trigger: start-up errors', () => {
      it('two components on one route is a manifest error naming both trigger tables', async () => {
        const file = await manifest(
          'duplicate.toml',
          [
            trigger('/api/...', 'first'),
            trigger('/api/...', 'second'),
            component('first', 'spin-echo.wasm'),
            component('second', 'spin-echo.wasm'),
          ].join('\n'),
        );
        const run = await runSpindle(['up', '-f', file, '--listen', '127.0.0.1:0']);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain('[trigger.http[1]] route');
        expect(run.stderr).toContain('[trigger.http[0]]');
        expect(run.stderr).toMatch(/'first' and 'second' cannot share a route/);
      });

      it('a component of neither HTTP world names the component and the trigger table', async () => {
        await copyFile(await buildFixture('behaviours'), join(dir, 'event.wasm'));
        const file = await manifest(
          'neither.toml',
          [trigger('/...', 'transformer'), component('transformer', 'event.wasm')].join('\n'),
        );
        const run = await runSpindle(['up', '-f', file, '--listen', '127.0.0.1:0']);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toMatch(/\[trigger\.http\[0\]\] component: component 'transformer' cannot serve HTTP/);
      }, 120_000);

      it('a Wagi module without executor = { type = "wagi" } says to add it', async () => {
        const file = await manifest(
          'no-executor.toml',
          [trigger('/...', 'cgi'), component('cgi', 'wagi-env.wasm')].join('\n'),
        );
        const run = await runSpindle(['up', '-f', file, '--listen', '127.0.0.1:0']);
        expect(run.code).not.toBe(0);
        expect(run.stderr).toContain('add executor = { type = "wagi" }');
      });
    });
  },
);
