import { describe, expect, it } from 'vitest';
import { clientAddr, type RequestInfo, spinHeaders, withSpinHeaders } from '../../adapters/http/request-info.ts';
import { RouteTable } from '../../adapters/http/routes.ts';
import { cgiEnvironment, DEFAULT_ARGV, wagiArgv } from '../../adapters/http/wagi-env.ts';

// Spin's table: listening on example.com:8080, base /shop, route /users/...,
// request https://example.com:8080/shop/users/1/edit?theme=pink.
const info: RequestInfo = {
  scheme: 'https',
  host: 'example.com:8080',
  pathAndQuery: '/shop/users/1/edit?theme=pink',
  clientAddress: '127.0.0.1',
  clientPort: 53152,
};
const match = new RouteTable([{ route: '/users/...', base: '/shop', target: 'users' }]).match('/shop/users/1/edit');

describe('spin-* request headers', () => {
  it("have the values of Spin's table", () => {
    expect(match).toBeDefined();
    if (match === undefined) return;
    expect(Object.fromEntries(spinHeaders(match, info))).toEqual({
      'spin-full-url': 'https://example.com:8080/shop/users/1/edit?theme=pink',
      'spin-path-info': '/1/edit',
      'spin-matched-route': '/shop/users/...',
      'spin-raw-component-route': '/users/...',
      'spin-component-route': '/users',
      'spin-base-path': '/shop',
      'spin-client-addr': '127.0.0.1:53152',
    });
  });

  it("carry each :name value as spin-path-match-<name> (Spin's casing), and as X_PATH_MATCH_<NAME> for Wagi", () => {
    const routed = new RouteTable([{ route: '/orgs/:org/users/:user_id/...', target: 't' }]).match(
      '/orgs/acme/users/7/x',
    );
    expect(routed).toBeDefined();
    if (routed === undefined) return;
    const headers = Object.fromEntries(spinHeaders(routed, { ...info, pathAndQuery: '/orgs/acme/users/7/x' }));
    expect(headers).toMatchObject({
      'spin-path-match-org': 'acme',
      'spin-path-match-user-id': '7',
      'spin-path-info': '/x',
      'spin-component-route': '/orgs/:org/users/:user_id',
    });
    const env = cgiEnvironment({ method: 'GET', headers: [], bodyLength: 0, info, match: routed });
    expect(env).toMatchObject({ X_PATH_MATCH_ORG: 'acme', X_PATH_MATCH_USER_ID: '7' });
  });

  it('replace client headers of the same name, and keep the others', () => {
    if (match === undefined) return;
    const headers = withSpinHeaders(
      [
        ['spin-path-info', '/forged'],
        ['accept', '*/*'],
      ],
      match,
      info,
    );
    expect(headers.filter(([name]) => name === 'spin-path-info')).toEqual([['spin-path-info', '/1/edit']]);
    expect(headers).toContainEqual(['accept', '*/*']);
  });

  it('print client addresses as Rust does, IPv4-mapped addresses unmapped', () => {
    expect(clientAddr({ clientAddress: '::ffff:10.0.0.1', clientPort: 1 })).toBe('10.0.0.1:1');
    expect(clientAddr({ clientAddress: '::1', clientPort: 2 })).toBe('[::1]:2');
  });
});

describe('Wagi environment and argv', () => {
  it('carry the CGI variables, Spin route variables and HTTP_* headers', () => {
    if (match === undefined) return;
    const env = cgiEnvironment({
      method: 'POST',
      headers: [
        ['content-type', 'text/plain'],
        ['x-custom', 'v'],
        ['authorization', 'secret'],
        ['host', 'example.com:8080'],
      ],
      bodyLength: 5,
      info,
      match,
    });
    expect(env).toMatchObject({
      REQUEST_METHOD: 'POST',
      CONTENT_LENGTH: '5',
      CONTENT_TYPE: 'text/plain',
      GATEWAY_INTERFACE: 'CGI/1.1',
      QUERY_STRING: 'theme=pink',
      SCRIPT_NAME: '/shop/users',
      SERVER_NAME: 'example.com',
      SERVER_PORT: '8080',
      SERVER_SOFTWARE: 'WAGI/1',
      REMOTE_ADDR: '127.0.0.1',
      HTTP_X_CUSTOM: 'v',
      HTTP_HOST: 'example.com:8080',
      X_FULL_URL: 'https://example.com:8080/shop/users/1/edit?theme=pink',
      PATH_INFO: '/1/edit',
      X_MATCHED_ROUTE: '/shop/users/...',
      X_RAW_COMPONENT_ROUTE: '/users/...',
      X_COMPONENT_ROUTE: '/users',
      X_BASE_PATH: '/shop',
      X_CLIENT_ADDR: '127.0.0.1:53152',
    });
    expect(env).not.toHaveProperty('HTTP_AUTHORIZATION');
  });

  it('argv: the path, then the query pairs (Wagi default template)', () => {
    expect(wagiArgv(DEFAULT_ARGV, '/env?a=1&b=2')).toEqual(['/env', 'a=1', 'b=2']);
    expect(wagiArgv(DEFAULT_ARGV, '/env')).toEqual(['/env', '']);
    // Spin's Ruby example: argv = "${SCRIPT_NAME} -v /lib/hello.rb ${ARGS}".
    const ruby = DEFAULT_ARGV.replace(' ', ' -v /lib/hello.rb ');
    expect(wagiArgv(ruby, '/rb?x=1')).toEqual(['/rb', '-v', '/lib/hello.rb', 'x=1']);
  });
});
