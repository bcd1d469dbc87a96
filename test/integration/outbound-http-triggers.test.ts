/**
 * Outbound HTTP from guests that real triggers drive: a CloudEvent POSTed to spindle's
 * listener (the CloudEvents target) and an entry added to a Redis stream reach a guest
 * that fetches from a server of the test on 127.0.0.1 and emits the event enriched with
 * the answer, in the HTTP reply or at the sink. A host the manifest does not allow fails
 * the event where its sender looks: a 5xx reply, or a dead letter, naming the refused
 * destination (with Spin's `destination-not-allowed` from the v1 `send-request`).
 * Both worlds run each case: `fetch` (wasi:http) and Spin's v1 `fermyon:spin/http`.
 */
import { once } from 'node:events';
import { copyFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { loadApp, type RunningApp, startApp } from '../../src/index.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { manifestDir } from '../support/manifest-dir.ts';
import { waitFor } from '../support/wait.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));
const PROFILE = '{"tier":"gold"}';

let server: http.Server;
let port: number;
/** Requests the server saw, by path. */
const seen: string[] = [];
/** The fetcher guests: `fetch` (wasi:http) and Spin's v1 send-request. */
const guests = { enrich: '', 'enrich-v1': '' };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/profile') res.writeHead(200, { 'content-type': 'application/json' }).end(PROFILE);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  guests.enrich = await buildFixture('fetcher');
  guests['enrich-v1'] = await buildFixture('fetcher-v1', {
    witPath: join(FIXTURES, 'spin-outbound'),
    worldName: 'spindle:test-outbound/fetcher-v1',
  });
}, 300_000);

afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

/** An app of both fetchers, allowed to reach the test's server only, with `triggers`. */
async function startWith(triggers: string): Promise<RunningApp> {
  const dir = await manifestDir({
    'spindle.toml': `
[application]
name = "enrich"
${triggers}
[component.enrich]
source = "enrich.wasm"
allowed_outbound_hosts = ["http://127.0.0.1:${port}"]
threads = 1
[component.enrich-v1]
source = "enrich-v1.wasm"
allowed_outbound_hosts = ["http://127.0.0.1:${port}"]
threads = 1
`,
  });
  for (const [id, wasm] of Object.entries(guests)) await copyFile(wasm, join(dir, `${id}.wasm`));
  return startApp(await loadApp(dir), { listen: { host: '127.0.0.1', port: 0 } });
}

/** What each guest's refusal says: the host and the field; v1 adds Spin's error. */
function refusal(component: string): string[] {
  const why = `outbound HTTP from component ${component} to http://localhost:${port} denied: http://localhost:${port} is not in its allowed_outbound_hosts (allowed: http://127.0.0.1:${port})`;
  return component === 'enrich-v1' ? ['destination-not-allowed', why] : [why];
}

const COMPONENTS = ['enrich', 'enrich-v1'] as const;

describe('outbound HTTP from a CloudEvents target on the real listener', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startWith(
      COMPONENTS.map(
        (c) => `[[trigger.cloudevents]]\nroute = "/${c}"\ncomponent = "${c}"\nretry = { attempts = 1, backoff_ms = 1 }`,
      ).join('\n'),
    );
  }, 120_000);
  afterAll(() => app?.stop());

  const post = (component: string, id: string, url: string) =>
    fetch(new URL(`/${component}`, app.url), {
      method: 'POST',
      headers: {
        'ce-specversion': '1.0',
        'ce-id': id,
        'ce-source': '/orders',
        'ce-type': 'order.placed',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ url }),
    });

  it.each(COMPONENTS)('%s: answers an event with the event enriched from the allowed host', async (component) => {
    const reply = await post(component, `${component}-1`, `http://127.0.0.1:${port}/profile`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('ce-id')).toBe(`${component}-1-fetched`);
    expect(reply.headers.get('ce-type')).toBe('test.fetched');
    expect(reply.headers.get('ce-source')).toBe('/orders');
    expect(await reply.json()).toEqual({ status: 200, body: PROFILE });
  });

  it.each(COMPONENTS)(
    '%s: answers 500 naming the refused destination, and the request never leaves',
    async (component) => {
      const before = seen.length;
      const reply = await post(component, `${component}-refused`, `http://localhost:${port}/profile`);
      expect(reply.status).toBe(500);
      const text = await reply.text();
      for (const part of refusal(component)) expect(text).toContain(part);
      expect(seen.length).toBe(before);
    },
  );
});

describeWithBroker('redis', 'outbound HTTP from a Redis Streams trigger to a sink', () => {
  const sink = uniqueName('enriched');
  const deadLetters = uniqueName('enrich-dead');
  const input = (component: string) => `${sink}-in-${component}`;
  let app: RunningApp;
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(redisUrl());
    app = await startWith(
      COMPONENTS.map(
        (c) => `[[trigger.redis]]
address = "${redisUrl()}"
stream = "${input(c)}"
component = "${c}"
sink = "${redisUrl()}?stream=${sink}"
dead_letter = "${redisUrl()}?stream=${deadLetters}"
retry = { attempts = 1, backoff_ms = 1 }`,
      ).join('\n'),
    );
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await redis?.del(sink, deadLetters, ...COMPONENTS.map(input));
    redis?.disconnect();
  });

  /** The events at `stream`, decoded as a reader of it would. */
  async function events(stream: string): Promise<CloudEvent[]> {
    const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
    return entries.flatMap(([id, fields]) => {
      const decoded = decodeEntry(stream, id, fields);
      return decoded.ok ? [decoded.event] : [];
    });
  }

  /** The first event at `stream` with `id`, once there. */
  async function arrived(stream: string, id: string): Promise<CloudEvent> {
    let found: CloudEvent | undefined;
    await waitFor(
      async () => {
        found = (await events(stream)).find((e) => e.id === id);
        return found !== undefined;
      },
      { what: `event ${id} at ${stream}` },
    );
    return found as CloudEvent;
  }

  it.each(COMPONENTS)('%s: sends the entry, enriched from the allowed host, to the sink', async (component) => {
    // A plain entry (no `event` field): its fields become the event's JSON data.
    const entry = await redis.xadd(input(component), '*', 'url', `http://127.0.0.1:${port}/profile`);
    const enriched = await arrived(sink, `${input(component)}-${entry}-fetched`);
    expect(enriched.type).toBe('test.fetched');
    expect(JSON.parse(Buffer.from(enriched.data ?? []).toString())).toEqual({ status: 200, body: PROFILE });
  });

  it.each(COMPONENTS)(
    '%s: dead-letters an entry for a refused host with the reason, and nothing reaches the sink or the host',
    async (component) => {
      const before = seen.length;
      const entry = await redis.xadd(input(component), '*', 'url', `http://localhost:${port}/profile`);
      const id = `${input(component)}-${entry}`;
      const dead = await arrived(deadLetters, id);
      for (const part of refusal(component)) expect(dead.extensions.deadletterreason).toContain(part);
      expect(dead.extensions.deadlettercomponent).toBe(component);
      expect(JSON.parse(Buffer.from(dead.data ?? []).toString())).toEqual({ url: `http://localhost:${port}/profile` });
      expect((await events(sink)).map((e) => e.id)).not.toContain(`${id}-fetched`);
      expect(seen.length).toBe(before);
    },
  );
});
