import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_LIMITS, type Limits } from '../app/limits.ts';
import { SpindleError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { type AppReadiness, READY_ROUTE } from '../readiness.ts';
import { CHAIN_PREFIX } from '../runtime/self-origin.ts';
import type { HttpRoutes } from '../trigger.ts';
import { chainedRequests } from './chained-requests.ts';
import { limitsMiddleware, serverOptions, watchConnections } from './limits.ts';
import { ServiceChaining } from './service-chaining.ts';

export const HEALTH_ROUTE = '/.well-known/spin/health';
/** Where Prometheus scrapes, unless the metrics have a listener of their own. */
export const METRICS_ROUTE = '/metrics';

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
  /** Requests to `http://<component>.spin.internal/`, answered in-process. */
  readonly chaining = new ServiceChaining();
  readonly routes: HttpRoutes = {
    post: (path, handler) => {
      this.#router.post(path, (req, res) => handler(req, res));
    },
    use: (handler) => {
      this.#router.use((req, res, next) => {
        if (!handler(req, res)) next();
      });
    },
    internal: (componentId, handler) => this.chaining.serve(componentId, handler),
  };
  readonly #app = express();
  readonly #limits: Limits;
  readonly #logger: Logger;
  readonly #overCap = new WeakSet<Socket>();
  #server: http.Server | undefined;

  /**
   * `chainToken`: the secret of chained requests from guests (chained-requests.ts). With
   * `metrics`, `GET /metrics` answers with its Prometheus text, before any trigger's route.
   * `readiness`: what the ready route answers (every trigger ready, or why not).
   */
  constructor(
    options: {
      limits?: Limits;
      logger?: Logger;
      chainToken?: string;
      metrics?: Registry | undefined;
      readiness?: () => AppReadiness;
    } = {},
  ) {
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#logger = options.logger ?? silentLogger();
    const readiness = options.readiness ?? (() => ({ ready: true, triggers: [] }));
    this.#app.disable('x-powered-by');
    // Probes and scrapes are answered over max_connections: under load is when they matter.
    this.#app.use(limitsMiddleware(this.#limits, this.#overCap, new Set([HEALTH_ROUTE, READY_ROUTE, METRICS_ROUTE])));
    this.#app.get(HEALTH_ROUTE, (_req, res) => {
      res.type('text/plain').send('OK');
    });
    this.#app.get(READY_ROUTE, (_req, res) => {
      const state = readiness();
      res.status(state.ready ? 200 : 503).json(state);
    });
    if (options.chainToken !== undefined) {
      const chained = chainedRequests(options.chainToken, this.chaining, this.#limits, this.#logger);
      this.#app.use(CHAIN_PREFIX, (req, res, next) => {
        if (!chained(req, res)) next();
      });
    }
    const registry = options.metrics;
    if (registry !== undefined) {
      this.#app.get(METRICS_ROUTE, (_req, res) => {
        registry.metrics().then(
          (text) => res.type(registry.contentType).send(text),
          (err: unknown) => {
            this.#logger.error({ err }, 'collecting metrics failed');
            res.status(500).type('text/plain').send('collecting metrics failed');
          },
        );
      });
    }
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
