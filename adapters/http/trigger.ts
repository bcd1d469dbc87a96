import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  HttpRefusal,
  holdingRoom,
  InFlight,
  ManifestError,
  type RunningTrigger,
  readBody,
  serveSafely,
  type TriggerAdapter,
  type TriggerContext,
} from '../../src/adapter.ts';
import { type HttpTriggerConfig, parseHttpConfig } from './config.ts';
import { type Executor, type ExecutorResponse, GuestFailure } from './executor.ts';
import type { RequestInfo } from './request-info.ts';
import { chainedMatch, DuplicateRoute, type RouteMatch, RouteTable } from './routes.ts';
import { spinExecutor } from './spin-executor.ts';
import { wagiExecutor } from './wagi-executor.ts';
import { wasiHttpExecutor } from './wasi-http-executor.ts';

interface Target {
  config: HttpTriggerConfig;
  execute: Executor;
}

/** Hop-by-hop and framing headers: Node sets its own. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * `[[trigger.http]]`: Spin's HTTP trigger. Routes requests to components by Spin's rules
 * (exact, `:name` and `/...` wildcard routes, the most specific wins, a v1 `base` prefixes
 * all), adds the `spin-*` request headers, and runs each component with the executor its
 * world calls for: `fermyon:spin/inbound-http`, `wasi:http/incoming-handler@0.2.x`, or
 * Wagi. Every component it serves, `route = { private = true }` ones only so, also
 * answers service chaining (`http://<component>.spin.internal/`) in-process.
 */
export const httpTrigger: TriggerAdapter<HttpTriggerConfig> = {
  type: 'http',

  parseConfig: (table) => parseHttpConfig(table),
  worlds: (config) => (config.executor.type === 'wagi' ? ['wagi'] : ['spin-http', 'wasi-http']),

  async start(ctx, configs) {
    const closers: (() => Promise<void>)[] = [];
    const targets: Target[] = [];
    try {
      for (const config of configs) {
        targets.push({ config, execute: holdingRoom(ctx.admission, await executorFor(ctx, config, closers)) });
      }
    } catch (error) {
      await Promise.allSettled(closers.map((close) => close()));
      throw error;
    }
    const routes = routeTable(ctx, targets);
    const inFlight = new InFlight();

    for (const target of targets) {
      ctx.http.internal(target.config.component, (request) => serveChained(ctx, target, request));
    }

    ctx.http.use((req, res) => {
      const match = routes.match((req.url ?? '/').split('?')[0] ?? '/');
      if (match === undefined) return false;
      void inFlight.run(() => serveSafely(ctx.logger, res, () => serve(ctx, match, req, res)));
      return true;
    });

    const running: RunningTrigger = {
      describe: (base) =>
        targets.map(({ config }) => {
          const where =
            config.route === undefined
              ? `http://${config.component}.spin.internal/ (private)`
              : `${base.origin}${stripSlash(config.base)}${config.route}`;
          return `ANY ${where} -> ${config.component}${config.executor.type === 'wagi' ? ' (wagi)' : ''}`;
        }),
      drain: () => inFlight.idle(),
      close: async () => {
        await Promise.allSettled(closers.map((close) => close()));
      },
    };
    return running;
  },
};

/** The executor for a component, by its world, or a start-up error naming it and its table. */
async function executorFor(
  ctx: TriggerContext,
  config: HttpTriggerConfig,
  closers: (() => Promise<void>)[],
): Promise<Executor> {
  const component = ctx.component(config.component);
  const fail = (field: string, reason: string) => new ManifestError(ctx.app.file, config.table, field, reason);
  if (config.executor.type === 'wagi') {
    if (!component.worlds.has('wagi')) {
      throw fail(
        'executor',
        `component '${component.id}' is not a WASI preview1 command module (it is a component of ${[...component.worlds].join(', ')}); ` +
          'remove executor = { type = "wagi" }',
      );
    }
    const settings = ctx.app.components[component.id] ?? { environment: {}, files: [] };
    const wagi = await wagiExecutor(component, settings, config.executor, ctx.logger);
    closers.push(wagi.close);
    return wagi.execute;
  }
  if (component.worlds.has('spin-http')) return spinExecutor(component);
  if (component.worlds.has('wasi-http')) return wasiHttpExecutor(component);
  if (component.worlds.has('wagi')) {
    throw fail(
      'executor',
      `component '${component.id}' is a WASI preview1 module: add executor = { type = "wagi" } to run it as Wagi`,
    );
  }
  throw fail(
    'component',
    `component '${component.id}' cannot serve HTTP: it exports neither fermyon:spin/inbound-http nor ` +
      `wasi:http/incoming-handler@0.2.x (it implements ${[...component.worlds].join(', ') || 'no known world'})`,
  );
}

function routeTable(ctx: TriggerContext, targets: Target[]): RouteTable<Target> {
  try {
    return new RouteTable(
      targets.flatMap((target) => {
        const { route, base } = target.config;
        return route === undefined ? [] : [{ route, base, target }];
      }),
    );
  } catch (error) {
    if (!(error instanceof DuplicateRoute)) throw error;
    const first = (error.first.target as Target).config;
    const second = (error.second.target as Target).config;
    throw new ManifestError(
      ctx.app.file,
      second.table,
      'route',
      `'${second.route}' is already the route of [${first.table}] (component '${first.component}'): ` +
        `components '${first.component}' and '${second.component}' cannot share a route`,
    );
  }
}

async function serve(
  ctx: TriggerContext,
  match: RouteMatch<Target>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { config, execute } = match.target;
  const body = await readBody(req, ctx.limits);
  let response: ExecutorResponse;
  try {
    response = await execute({
      method: req.method ?? 'GET',
      headers: headersOf(req),
      body,
      info: requestInfo(req),
      match,
    });
  } catch (error) {
    if (error instanceof HttpRefusal) throw error; // answered by serveSafely
    const status = error instanceof GuestFailure ? error.status : 500;
    ctx.logger.error(
      { component: config.component, route: match.matchedRoute, status, err: error },
      (error as Error).message,
    );
    if (!res.headersSent) {
      res.statusCode = status;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(status === 502 ? 'Bad Gateway\n' : 'Internal Server Error\n');
    }
    return;
  }
  res.statusCode = response.status;
  for (const [name, value] of response.headers) {
    if (!NOT_FORWARDED.has(name.toLowerCase())) res.appendHeader(name, value);
  }
  res.end(Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength));
}

/**
 * A service-chaining request, as Spin presents it: matched as by `/...` (the whole path is
 * the path info), the `*.spin.internal` Host dropped. A refusal (the app is full) is its
 * status; a guest failure is a 500 or 502 as on the listener.
 */
async function serveChained(ctx: TriggerContext, target: Target, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const pathAndQuery = `${url.pathname}${url.search}`;
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (name !== 'host') headers.push([name, value]);
  });
  try {
    const response = await target.execute({
      method: request.method,
      headers,
      body: new Uint8Array(await request.arrayBuffer()),
      info: { scheme: 'http', host: url.host, pathAndQuery, clientAddress: '127.0.0.1', clientPort: 0 },
      match: chainedMatch(target, url.pathname),
    });
    const out = new Headers();
    for (const [name, value] of response.headers) if (!NOT_FORWARDED.has(name.toLowerCase())) out.append(name, value);
    const bodyless = response.status === 204 || response.status === 304 || request.method === 'HEAD';
    return new Response(bodyless ? null : Buffer.from(response.body), { status: response.status, headers: out });
  } catch (error) {
    const status = error instanceof HttpRefusal || error instanceof GuestFailure ? error.status : 500;
    ctx.logger.error(
      { component: target.config.component, chained: true, status, err: error },
      (error as Error).message,
    );
    const text =
      error instanceof HttpRefusal ? error.message : status === 502 ? 'Bad Gateway' : 'Internal Server Error';
    return new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
}

function requestInfo(req: IncomingMessage): RequestInfo {
  const socket = req.socket as TLSSocket;
  return {
    scheme: socket.encrypted ? 'https' : 'http',
    host: req.headers.host ?? 'localhost',
    pathAndQuery: req.url ?? '/',
    clientAddress: socket.remoteAddress ?? '',
    clientPort: socket.remotePort ?? 0,
  };
}

function headersOf(req: IncomingMessage): [string, string][] {
  const headers: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
  }
  return headers;
}

function stripSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}
