import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { DEFAULT_LIMITS, type Limits } from '../app/limits.ts';
import { SpindleError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { type AppReadiness, READY_ROUTE } from '../readiness.ts';
import type { HttpRoutes } from '../trigger.ts';
import { limitsMiddleware, serverOptions, watchConnections } from './limits.ts';

export const HEALTH_ROUTE = '/.well-known/spin/health';

export interface ListenOptions {
  host: string;
  port: number;
  /** PEM certificate and PKCS#8 key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/**
 * spindle's listener. It always serves the health route (liveness: the process is up) and
 * the readiness route (every trigger connected: 200, else 503 with each trigger's state),
 * so Kubernetes and compose can probe an app with broker triggers only; HTTP triggers
 * mount their routes on `routes`.
 * express stays inside: adapters see node:http's request and response only.
 */
export class HttpHost {
  readonly #router: Router = express.Router();
  readonly routes: HttpRoutes = {
    post: (path, handler) => {
      this.#router.post(path, (req, res) => handler(req, res));
    },
    use: (handler) => {
      this.#router.use((req, res, next) => {
        if (!handler(req, res)) next();
      });
    },
  };
  readonly #app = express();
  readonly #limits: Limits;
  readonly #logger: Logger;
  readonly #overCap = new WeakSet<Socket>();
  #server: http.Server | undefined;

  constructor(options: { limits?: Limits; logger?: Logger; readiness?: () => AppReadiness } = {}) {
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#logger = options.logger ?? silentLogger();
    const readiness = options.readiness ?? (() => ({ ready: true, triggers: [] }));
    this.#app.disable('x-powered-by');
    this.#app.use(limitsMiddleware(this.#limits, this.#overCap, new Set([HEALTH_ROUTE, READY_ROUTE])));
    this.#app.get(HEALTH_ROUTE, (_req, res) => {
      res.type('text/plain').send('OK');
    });
    this.#app.get(READY_ROUTE, (_req, res) => {
      const state = readiness();
      res.status(state.ready ? 200 : 503).json(state);
    });
    this.#app.use(this.#router);
  }

  /** Start listening; resolves with the base URL (the real port when `port` is 0). */
  async listen(options: ListenOptions): Promise<URL> {
    const limited = serverOptions(this.#limits);
    const server = options.tls
      ? https.createServer({ ...limited, cert: options.tls.cert, key: options.tls.key }, this.#app)
      : http.createServer(limited, this.#app);
    watchConnections(server, this.#limits, this.#logger, this.#overCap);
    server.listen(options.port, options.host);
    try {
      await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e))]);
    } catch (cause) {
      throw new SpindleError(`cannot listen on ${options.host}:${options.port}: ${(cause as Error).message}`, {
        cause,
      });
    }
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    return new URL(`${options.tls ? 'https' : 'http'}://${host}:${port}/`);
  }

  /** Stop taking connections, let requests in flight finish, then resolve. */
  async close(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    const closed = once(server, 'close');
    server.close();
    server.closeIdleConnections();
    await closed;
  }
}
