import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { SpindleError } from '../errors.ts';
import type { HttpRoutes } from '../trigger.ts';

export const HEALTH_ROUTE = '/.well-known/spin/health';

export interface ListenOptions {
  host: string;
  port: number;
  /** PEM certificate and PKCS#8 key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

/**
 * spindle's listener. It always serves the health route, so Kubernetes and compose can
 * probe an app with broker triggers only; HTTP triggers mount their routes on `routes`.
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
  #server: http.Server | undefined;

  constructor() {
    this.#app.disable('x-powered-by');
    this.#app.get(HEALTH_ROUTE, (_req, res) => {
      res.type('text/plain').send('OK');
    });
    this.#app.use(this.#router);
  }

  /** Start listening; resolves with the base URL (the real port when `port` is 0). */
  async listen(options: ListenOptions): Promise<URL> {
    const server = options.tls
      ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, this.#app)
      : http.createServer(this.#app);
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
