/**
 * The Redis trigger in-process (startApp), against a real Redis: manifest errors that
 * name the field, connections killed under it (CLIENT KILL), entries that were there
 * before it started, and a prompt graceful stop.
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, encodeMessage } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { defineApp, type RunningApp, startApp, type TriggerDefinition } from '../../src/index.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { buildFixture } from '../support/fixtures.ts';
import { waitFor } from '../support/wait.ts';

const event = (id: string): CloudEvent => ({
  id,
  source: '/redis-trigger-test',
  type: 'test.echo',
  specversion: '1.0',
  datacontenttype: 'text/plain',
  extensions: {},
  data: new Uint8Array(Buffer.from(`data of ${id}`)),
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describeWithBroker('redis', 'redis trigger', () => {
  let wasm: string;
  let redis: Redis;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    wasm = await buildFixture('behaviours');
    redis = new Redis(redisUrl());
  }, 120_000);
  afterEach(async () => {
    for (const app of running.splice(0)) await app.stop();
  });
  afterAll(() => redis.disconnect());

  async function start(name: string, trigger: Omit<TriggerDefinition, 'type' | 'component'>) {
    const app = await startApp(
      defineApp({
        name,
        components: { echo: { source: wasm } },
        triggers: [{ type: 'redis', component: 'echo', ...trigger }],
      }),
      { listen: { host: '127.0.0.1', port: 0 } },
    );
    running.push(app);
    return app;
  }

  const sinkIds = async (stream: string) =>
    ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).flatMap(([id, fields]) => {
      const decoded = decodeEntry(stream, id, fields);
      return decoded.ok ? [decoded.event.id] : [];
    });

  describe('manifest errors name the field', () => {
    it.each([
      [
        'both channel and stream',
        { channel: 'c', stream: 's' },
        /stream: set either 'channel' \(pub\/sub\) or 'stream'/,
      ],
      ['neither channel nor stream', {}, /channel: is required: set 'channel' \(pub\/sub\) or 'stream'/],
      ['a stream field on a channel', { channel: 'c', group: 'g' }, /group: applies to a 'stream' only/],
      ['claim_idle_ms below 1', { stream: 's', claim_idle_ms: 0 }, /claim_idle_ms: must be at least 1/],
      [
        'an address of another scheme',
        { stream: 's', address: 'http://127.0.0.1:6379' },
        /address: expected a redis:\/\/ or rediss:\/\/ URI/,
      ],
      ['an unknown field', { stream: 's', topic: 't' }, /unknown field 'topic'/],
    ])('%s', async (_, fields, message) => {
      const trigger = { address: redisUrl(), ...fields };
      await expect(start(uniqueName('errors'), trigger)).rejects.toThrow(message);
    });

    it('a missing address, pointing at [application.trigger.redis]', async () => {
      await expect(start(uniqueName('errors'), { stream: 's' })).rejects.toThrow(
        /address: is required: set it here or in \[application.trigger.redis\] address/,
      );
    });

    it('a sink URI without a stream or channel', async () => {
      const sink = `${redisUrl()}?topic=x`;
      await expect(start(uniqueName('errors'), { address: redisUrl(), stream: 's', sink })).rejects.toThrow(
        /unknown parameter 'topic' \(expected redis:\/\/host:port\[\/db\]\?stream=<name>/,
      );
    });

    it('an unreachable address, with the password hidden', async () => {
      const address = `redis://:s3cret@127.0.0.1:${await closedPort()}`;
      const failure = start(uniqueName('errors'), { address, stream: 's', sink: `${redisUrl()}?stream=unused` });
      await expect(failure).rejects.toThrow(/cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
      await expect(failure).rejects.not.toThrow(/s3cret/);
    });
  });

  it('processes entries added before it started (a new group reads from the beginning)', async () => {
    const stream = uniqueName('before');
    const sink = uniqueName('before-out');
    await redis.xadd(stream, '*', ...encodeEntry(event('early-1')));
    await start(uniqueName('app'), { address: redisUrl(), stream, sink: `${redisUrl()}?stream=${sink}` });
    await waitFor(async () => (await sinkIds(sink)).includes('early-1'), { what: 'the early entry at the sink' });
    await redis.del(stream, sink);
  });

  it('keeps consuming a stream after its connections are killed', async () => {
    const name = uniqueName('reconnect');
    const stream = uniqueName('reconnect-in');
    const sink = uniqueName('reconnect-out');
    await start(name, { address: redisUrl(), stream, sink: `${redisUrl()}?stream=${sink}` });
    await redis.xadd(stream, '*', ...encodeEntry(event('before-kill')));
    await waitFor(async () => (await sinkIds(sink)).includes('before-kill'), { what: 'the first event' });

    // The reader is blocked in XREADGROUP right now; kill it and the XACK connection.
    expect(await killConnections(redis, `spindle:${name}:`)).toBeGreaterThanOrEqual(2);
    await redis.xadd(stream, '*', ...encodeEntry(event('after-kill')));
    await waitFor(async () => (await sinkIds(sink)).includes('after-kill'), { what: 'the event after the kill' });
    const pending = (await redis.xpending(stream, `spindle-${name}`)) as [number, ...unknown[]];
    await waitFor(async () => ((await redis.xpending(stream, `spindle-${name}`)) as [number])[0] === 0, {
      what: `no pending entries (had ${pending[0]})`,
    });
    await redis.del(stream, sink);
  });

  it('resubscribes to a channel after its connection is killed', async () => {
    const name = uniqueName('resubscribe');
    const channel = uniqueName('resubscribe-in');
    const sink = uniqueName('resubscribe-out');
    await start(name, { address: redisUrl(), channel, sink: `${redisUrl()}?stream=${sink}` });
    expect(await killConnections(redis, `spindle:${name}:subscriber`)).toBe(1);
    await waitFor(async () => ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1] === 1, {
      what: 'the subscription back',
    });
    await redis.publish(channel, encodeMessage(event('after-resubscribe')));
    await waitFor(async () => (await sinkIds(sink)).includes('after-resubscribe'), { what: 'the event at the sink' });
    await redis.del(sink);
  });

  it('stops promptly while its reader is blocked', async () => {
    const stream = uniqueName('stop');
    const app = await start(uniqueName('stop'), {
      address: redisUrl(),
      stream,
      sink: `${redisUrl()}?stream=${stream}-out`,
    });
    running.splice(running.indexOf(app), 1);
    const started = Date.now();
    await app.stop();
    // The read blocks up to 5 s; CLIENT UNBLOCK ends it at once.
    expect(Date.now() - started).toBeLessThan(2_000);
    await redis.del(stream);
  });
});

/** CLIENT KILL every connection whose name starts with `prefix`; how many were killed. */
async function killConnections(redis: Redis, prefix: string): Promise<number> {
  const list = String(await redis.call('CLIENT', ['LIST']));
  const ids = list
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((pair) => pair.split('=') as [string, string])))
    .filter((client) => client.name?.startsWith(prefix))
    .map((client) => client.id as string);
  for (const id of ids) await redis.call('CLIENT', ['KILL', 'ID', id]);
  return ids.length;
}
