/**
 * An HTTP sink whose every answer the test scripts (a status, headers and body, or no
 * answer at all), recording when each request arrived: what the Knative delivery spec
 * tests measure retries, backoff spacing and timeouts with. On 127.0.0.1, a free port.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode } from '../../adapters/cloudevents/codec.ts';
import type { CloudEvent } from '../../src/event.ts';

/** What the scripted sink does with its n-th request (0-based): an answer, or never answering. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'never';

export interface ScriptedSink {
  url: string;
  /** When each request arrived (Date.now()), in order. */
  arrivals: number[];
  /** The events of the requests answered 2xx. */
  accepted: CloudEvent[];
  close(): Promise<void>;
}

/** `credentials` (`user:pass@`) go into the URL only: the sink does not check them. */
export async function scriptedSink(script: (n: number) => Answer, credentials = ''): Promise<ScriptedSink> {
  const arrivals: number[] = [];
  const accepted: CloudEvent[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const answer = script(arrivals.length);
    arrivals.push(Date.now());
    if (answer === 'never') return;
    if (answer.status < 300) accepted.push(...decode({ headers: req.headers, body: Buffer.concat(chunks) }).events);
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${credentials}127.0.0.1:${port}/`,
    arrivals,
    accepted,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The gaps between successive arrivals, in milliseconds. */
export function gaps(arrivals: readonly number[]): number[] {
  return arrivals.slice(1).map((at, i) => at - (arrivals[i] as number));
}
