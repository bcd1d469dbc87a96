/**
 * The stream consumer's XACKs overlap its next read: drain() must still wait for them,
 * and an entry is acked only once its handler resolved (after the sink accepted it).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RedisMessage } from '../../adapters/redis/message.ts';
import { StreamConsumer } from '../../adapters/redis/stream-consumer.ts';
import { silentLogger } from '../../src/log.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { waitFor } from '../support/wait.ts';

describeWithBroker('redis', 'redis stream consumer acks', () => {
  let redis: Redis;
  let reader: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl());
    reader = new Redis(redisUrl());
  });
  afterAll(() => {
    redis.disconnect();
    reader.disconnect();
  });

  it('acks each read in one XACK after its handler, and drain waits for a slow XACK', async () => {
    const stream = uniqueName('spindle-acks');
    const group = uniqueName('group');
    for (let i = 0; i < 15; i++) await redis.xadd(stream, '*', 'n', String(i));
    const xacks: string[][] = [];
    // XACKs are held at a gate the test opens: drain() must not resolve while one waits.
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    let heldXacks = 0;
    const commands = new Proxy(redis, {
      get(target, name, receiver) {
        if (name !== 'call') return Reflect.get(target, name, receiver);
        return async (command: string, args: string[]) => {
          if (command === 'XACK') {
            heldXacks++;
            await gate;
            xacks.push(args.slice(2));
          }
          return target.call(command, args);
        };
      },
    });
    const handled: string[] = [];
    const consumer = new StreamConsumer({
      reader,
      commands,
      stream,
      group,
      consumer: 'c1',
      claimIdleMs: 60_000,
      logger: silentLogger(),
      handle: async (messages: readonly RedisMessage[]) => {
        for (const m of messages) handled.push(m.kind === 'stream' ? m.id : '');
        // The second read's last entry fails: it must stay pending.
        return messages.map((_, i) => (handled.length === 15 && i === messages.length - 1 ? 'keep' : 'ack'));
      },
    });
    await consumer.start();
    await waitFor(() => handled.length === 15, { what: 'every entry handled' });
    let drained = false;
    const draining = consumer.drain().then(() => {
      drained = true;
    });
    await waitFor(() => heldXacks > 0, { what: 'an XACK held at the gate' });
    expect(drained).toBe(false);
    openGate();
    await draining;
    expect(xacks.map((ids) => ids.length)).toEqual([10, 4]);
    expect(xacks.flat()).toEqual(handled.slice(0, 14));
    const pending = (await redis.xpending(stream, group)) as [number, ...unknown[]];
    expect(pending[0]).toBe(1);
    await redis.del(stream);
  });
});
