/**
 * Secrets never shown: a `secret = true` variable used in a sink URI, and credentials in a
 * sink URI, appear in no log line, no HTTP error body, no dead-letter reason and no
 * start-up error. An HTTP sink with credentials gets them as an Authorization header.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineApp, type RunningApp, startApp, type TriggerDefinition } from '../../src/index.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { waitFor } from '../support/wait.ts';

const TOKEN = 'tok-9f2c7Q';
const PASSWORD = 'pa55-W0rd';

let wasm: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 300_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every line the app logs, as written. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug', base: undefined }, { write: (line: string) => lines.push(line) });
  return { logger, output: () => lines.join('') };
}

/** A sink on 127.0.0.1 that answers every POST with `status`, and records its Authorization header. */
async function fakeSink(answer: (authorization: string | undefined) => number) {
  const seen: (string | undefined)[] = [];
  const server = http.createServer(async (req, res) => {
    for await (const _ of req);
    seen.push(req.headers.authorization);
    res.writeHead(answer(req.headers.authorization)).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

async function receiver(): Promise<EventReceiver> {
  const started = await startReceiver();
  cleanups.push(() => started.close());
  return started;
}

async function start(trigger: Omit<TriggerDefinition, 'type' | 'component'>, logger: pino.Logger) {
  const app: RunningApp = await startApp(
    defineApp({
      name: 'secrets',
      variables: { token: { secret: true, required: true } },
      components: { echo: { source: wasm } },
      triggers: [{ type: 'cloudevents', component: 'echo', retry: { attempts: 2, backoff_ms: 1 }, ...trigger }],
    }),
    { listen: { host: '127.0.0.1', port: 0 }, variables: { token: TOKEN }, logger },
  );
  cleanups.push(() => app.stop());
  return app;
}

async function post(app: RunningApp, id: string) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': id, 'ce-source': '/secrets', 'ce-type': 'test.echo' },
    body: 'payload',
  });
  return { status: response.status, body: await response.text() };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('a secret variable in a sink URI that fails', () => {
  it('is not in the 502 body nor in the log', async () => {
    const sink = await fakeSink(() => 503);
    const { logger, output } = capturingLogger();
    const app = await start({ sink: `http://127.0.0.1:${sink.port}/hook/{{ token }}` }, logger);
    const answer = await post(app, 'e1');
    expect(answer.status).toBe(502);
    expect(answer.body).toContain(`sink http://127.0.0.1:${sink.port}/hook/***: answered 503`);
    expect(answer.body).not.toContain(TOKEN);
    expect(output()).toContain('/hook/***');
    expect(output()).not.toContain(TOKEN);
  });

  it('is not in the dead-letter reason', async () => {
    const sink = await fakeSink(() => 503);
    const dead = await receiver();
    const { logger, output } = capturingLogger();
    const app = await start({ sink: `http://127.0.0.1:${sink.port}/{{ token }}`, dead_letter: dead.url }, logger);
    expect((await post(app, 'e2')).status).toBe(202);
    await waitFor(() => dead.events.length === 1, { what: 'the dead letter' });
    const reason = dead.events[0]?.extensions.deadletterreason ?? '';
    expect(reason).toContain(`sink http://127.0.0.1:${sink.port}/***: answered 503`);
    expect(JSON.stringify(dead.events[0]?.extensions)).not.toContain(TOKEN);
    expect(output()).not.toContain(TOKEN);
  });
});

describe('credentials in an HTTP sink URI', () => {
  it('are sent as an Authorization: Basic header, and the event is delivered', async () => {
    const expected = `Basic ${Buffer.from(`spindle:${PASSWORD}`).toString('base64')}`;
    const sink = await fakeSink((authorization) => (authorization === expected ? 202 : 401));
    const { logger, output } = capturingLogger();
    const app = await start({ sink: `http://spindle:${PASSWORD}@127.0.0.1:${sink.port}/` }, logger);
    expect(await post(app, 'e3')).toEqual({ status: 202, body: '' });
    expect(sink.seen).toEqual([expected]);
    expect(output()).not.toContain(PASSWORD);
  });

  it('are not in the 502 body nor the log when the sink fails', async () => {
    const sink = await fakeSink(() => 503);
    const { logger, output } = capturingLogger();
    const app = await start({ sink: `http://spindle:${PASSWORD}@127.0.0.1:${sink.port}/` }, logger);
    const answer = await post(app, 'e4');
    expect(answer.status).toBe(502);
    expect(answer.body).toContain(`sink http://spindle:***@127.0.0.1:${sink.port}/: answered 503`);
    expect(answer.body + output()).not.toContain(PASSWORD);
  });
});

describe('a start-up error', () => {
  it('of a sink of an unknown scheme does not show its password', async () => {
    const { logger, output } = capturingLogger();
    const failure = start({ sink: `nope://spindle:${PASSWORD}@127.0.0.1:1/` }, logger);
    await expect(failure).rejects.toThrow(/sink 'nope:\/\/spindle:\*\*\*@127\.0\.0\.1:1\/': no adapter handles/);
    const error = await rejection(failure);
    expect(`${error.message}\n${error.stack}`).not.toContain(PASSWORD);
    expect(output()).not.toContain(PASSWORD);
  });

  it('of a sink URI holding a secret variable does not show it', async () => {
    const { logger } = capturingLogger();
    const error = await rejection(start({ sink: 'nope://127.0.0.1:1/{{ token }}' }, logger));
    expect(error.message).toMatch(/sink 'nope:\/\/127\.0\.0\.1:1\/\*\*\*': no adapter handles/);
    expect(`${error.message}\n${error.stack}`).not.toContain(TOKEN);
  });
});
