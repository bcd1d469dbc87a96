/**
 * Liveness apart from readiness, as a prober sees them: the health route answers from the
 * moment spindle listens, the readiness route only while every trigger is connected and
 * consuming, with each trigger table's state and last error otherwise.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import {
  defineApp,
  parseRouteConfig,
  type RouteConfig,
  type RunningApp,
  startApp,
  type TriggerAdapter,
} from '../../src/index.ts';
import { describeWithBroker, uniqueName } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.ts';
import { HEALTH_ROUTE, readiness } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const event = (id: string): CloudEvent => ({
  id,
  source: '/readiness-test',
  type: 'test.echo',
  specversion: '1.0',
  extensions: {},
});

const health = async (url: URL) => (await fetch(new URL(HEALTH_ROUTE, url))).status;

let wasm: string;
const running: RunningApp[] = [];
beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 120_000);
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

it('answers health at once and readiness 503 naming the trigger while it connects, 200 once it has', async () => {
  let connect!: () => void;
  const connected = new Promise<void>((resolve) => {
    connect = resolve;
  });
  // A trigger whose broker answers when the test says so.
  const slow: TriggerAdapter<RouteConfig & { table: string }> = {
    type: 'slow',
    parseConfig: (table) => ({ ...parseRouteConfig(table), table: table.table }),
    async start(ctx, [config]) {
      ctx.status.notReady(config?.table ?? '', 'connecting', new Error('no answer from amqp://user:secret@broker'));
      await connected;
      ctx.status.ready(config?.table ?? '', 'consuming');
      return { drain: async () => {}, close: async () => {} };
    },
  };
  const listening = new Promise<URL>((resolve, reject) => {
    const lines = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const { url } = JSON.parse(chunk.toString()) as { url?: string };
        if (url !== undefined) resolve(new URL(url));
        done();
      },
    });
    const app = defineApp({
      name: 'slow',
      components: { echo: { source: wasm } },
      triggers: [{ type: 'slow', component: 'echo' }],
    });
    void startApp(app, {
      listen: { host: '127.0.0.1', port: 0 },
      adapters: [{ triggers: [slow] }],
      logger: pino(lines),
    }).then((started) => running.push(started), reject);
  });
  const url = await listening;

  expect(await health(url)).toBe(200);
  const before = await readiness(url);
  expect(before.status).toBe(503);
  expect(before.body).toMatchObject({
    ready: false,
    triggers: [
      { table: 'triggers[0]', ready: false, state: 'connecting', error: 'no answer from amqp://user:***@broker' },
    ],
  });

  connect();
  await waitFor(async () => (await readiness(url)).status === 200, { what: 'readiness once the trigger started' });
  expect((await readiness(url)).body).toMatchObject({ ready: true, triggers: [{ table: 'triggers[0]', ready: true }] });
});

// A Redis of the test's own (the machine's redis-server, as redis-tls.test.ts uses) to kill.
describeWithBroker('redis', 'readiness follows a broker connection', () => {
  {
    let redis: OwnRedis;
    afterEach(async () => {
      for (const app of running.splice(0)) await app.stop();
      await redis?.kill();
    });

    it('is 503 with the error while redis is down (health still 200), 200 again once it is back', async () => {
      redis = await startOwnRedis();
      const stream = uniqueName('ready-in');
      const sink = uniqueName('ready-out');
      const app = await startApp(
        defineApp({
          name: uniqueName('ready'),
          components: { echo: { source: wasm } },
          triggers: [
            { type: 'redis', component: 'echo', address: redis.url, stream, sink: `${redis.url}?stream=${sink}` },
          ],
        }),
        { listen: { host: '127.0.0.1', port: 0 } },
      );
      running.push(app);
      await waitFor(async () => (await readiness(app.url)).status === 200, { what: 'readiness once consuming' });
      expect((await readiness(app.url)).body).toMatchObject({
        triggers: [{ table: 'triggers[0]', ready: true, state: 'consuming' }],
      });

      await redis.kill();
      await waitFor(async () => (await readiness(app.url)).status === 503, {
        what: 'readiness 503 once redis is gone',
      });
      expect(await health(app.url)).toBe(200);
      await waitFor(async () => JSON.stringify((await readiness(app.url)).body).includes('ECONNREFUSED'), {
        what: 'the refused reconnects as the reason',
      });
      expect((await readiness(app.url)).body).toMatchObject({
        ready: false,
        triggers: [{ table: 'triggers[0]', ready: false, state: 'reconnecting' }],
      });
      expect(app.readiness().ready).toBe(false);

      await redis.start();
      await waitFor(async () => (await readiness(app.url)).status === 200, { what: 'readiness after the reconnect' });
      // Ready means consuming: an event added now reaches the sink.
      const client = new Redis(redis.url);
      try {
        await client.xadd(stream, '*', ...encodeEntry(event('after-restart')));
        await waitFor(
          async () =>
            ((await client.xrange(sink, '-', '+')) as [string, string[]][]).some(([id, fields]) => {
              const decoded = decodeEntry(sink, id, fields);
              return decoded.ok && decoded.event.id === 'after-restart';
            }),
          { what: 'an event consumed after the reconnect' },
        );
      } finally {
        client.disconnect();
      }
    }, 60_000);

    it('stops while redis is down, rather than wait for it to come back', async () => {
      redis = await startOwnRedis();
      const stream = uniqueName('stop-in');
      const app = await startApp(
        defineApp({
          name: uniqueName('stop-down'),
          components: { echo: { source: wasm } },
          triggers: [
            { type: 'redis', component: 'echo', address: redis.url, stream, sink: `${redis.url}?stream=${stream}-out` },
          ],
        }),
        { listen: { host: '127.0.0.1', port: 0 } },
      );
      await waitFor(async () => (await readiness(app.url)).status === 200, { what: 'readiness once consuming' });
      await redis.kill();
      await waitFor(async () => (await readiness(app.url)).status === 503, {
        what: 'readiness 503 once redis is gone',
      });
      // A stop that waited for the lost connection would never return (the test's timeout).
      await app.stop();
    }, 60_000);
  }
});
