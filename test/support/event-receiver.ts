import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode } from '../../adapters/cloudevents/codec.ts';
import type { CloudEvent } from '../../src/event.ts';

export interface EventReceiver {
  url: string;
  events: CloudEvent[];
  /** The headers of each request that delivered events, in order. */
  headers: http.IncomingHttpHeaders[];
  /** Answer the next `n` requests with `status` instead of 202. */
  failNext(n: number, status?: number): void;
  /** Hold every request until the returned function is called. */
  hold(): () => void;
  /** Requests received and not answered yet. */
  readonly waiting: number;
  close(): Promise<void>;
}

/**
 * An HTTP sink for tests (like Knative's event-display): records every CloudEvent POSTed.
 * On a free port unless told `port` (a sink that went down comes back where it was).
 */
export async function startReceiver(port = 0): Promise<EventReceiver> {
  const events: CloudEvent[] = [];
  const headers: http.IncomingHttpHeaders[] = [];
  let failures = 0;
  let failStatus = 503;
  let held: Promise<void> | undefined;
  let waiting = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    waiting++;
    await held;
    waiting--;
    if (failures > 0) {
      failures--;
      res.writeHead(failStatus).end();
      return;
    }
    try {
      events.push(...decode({ headers: req.headers, body: Buffer.concat(chunks) }).events);
      headers.push(req.headers);
      res.writeHead(202).end();
    } catch (error) {
      res.writeHead(400).end((error as Error).message);
    }
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: listening } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${listening}/`,
    events,
    headers,
    hold() {
      let release = () => {};
      held = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
    get waiting() {
      return waiting;
    },
    failNext(n, status = 503) {
      failures = n;
      failStatus = status;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
